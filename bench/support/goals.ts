/**
 * The three goals, judged from a run's points and the saga ceiling min(echo ÷ 3, database);
 * the CPU budget of the ratio goal; and the rates `--refine` adds. Pure, so unit-tested apart from
 * the run.
 */
import { round } from './proc-stats.ts';

export interface GoalPoint {
  kind: 'open' | 'closed';
  target: number;
  sustained: boolean;
  sagasPerS: number;
  latencyMs: { p99: number } | null;
}

export function judgeGoals(
  points: readonly GoalPoint[],
  ceilingSagasPerS: number | null,
  offeredRates: readonly number[],
) {
  const best = Math.max(0, ...points.map((p) => p.sagasPerS));
  const sustained = points
    .filter((p) => p.kind === 'open' && p.sustained)
    .reduce<GoalPoint | null>((top, p) => (top === null || p.target > top.target ? p : top), null);
  const at500 = points.find((p) => p.kind === 'open' && p.target === 500);
  const ceiling = ceilingSagasPerS && ceilingSagasPerS > 0 ? ceilingSagasPerS : null;
  // Sagas completed per second, not the rate offered: the ceilings are measured throughputs too.
  const exactSustainedRatio = ceiling && sustained ? sustained.sagasPerS / ceiling : null;
  const ratio = ceiling && points.length > 0 ? round(best / ceiling, 2) : null;
  return {
    /** The highest open-loop rate sustained, and the sagas/s completed at it. */
    maxSustainedRate: sustained?.target ?? null,
    sustainedSagasPerS: sustained?.sagasPerS ?? null,
    bestSagasPerS: best,
    p99AtRate500Ms: at500?.latencyMs?.p99 ?? null,
    /** The best point's sagas/s ÷ the ceiling; at the highest sustained rate, to three places. */
    ratio,
    sustainedRatio: exactSustainedRatio === null ? null : round(exactSustainedRatio, 3),
    goals: {
      sustained1000: offeredRates.some((r) => r >= 1000) ? (sustained?.target ?? 0) >= 1000 : null,
      p99At500Within250: at500?.latencyMs ? at500.latencyMs.p99 <= 250 : null,
      halfOfCeiling: ratio === null ? null : (exactSustainedRatio ?? 0) >= 0.5,
    },
  };
}

/**
 * What the ratio goal asks of the machine: to complete half the ceiling per second, all processes
 * together may spend cores × 1000 ms ÷ (ceiling ÷ 2) of CPU per saga, set against what the best
 * point spent (its machine busy time ÷ sagas completed).
 */
export function cpuBudget(ceiling: number | null, cores: number, spentMsPerSaga: number | null) {
  if (ceiling === null || ceiling <= 0 || spentMsPerSaga === null || spentMsPerSaga <= 0) return null;
  const allowed = (cores * 1000) / (ceiling / 2);
  // the rate the goal asks for; the CPU per saga all cores allow at it, and what the best point spent
  return {
    targetSagasPerS: Math.round(ceiling / 2),
    allowedMsPerSaga: round(allowed, 2),
    spentMsPerSaga: round(spentMsPerSaga, 2),
    toSave: round(1 - allowed / spentMsPerSaga, 2), // ≤ 0: within budget
  };
}

/** Refinement rates are multiples of this (sagas/s); a gap it cannot split ends the refinement. */
export const REFINE_GRANULARITY = 10;

/**
 * `--refine`: the next open-loop rate, the middle (a multiple of REFINE_GRANULARITY) of the highest
 * sustained rate and the lowest unsustained one above it, so N points halve a grid step N times.
 * Null when no rate was sustained, none above it failed, or the two are too close to split.
 */
export function nextRefinementRate(
  points: ReadonlyArray<{ target: number; sustained: boolean }>,
): number | null {
  const low = Math.max(...points.filter((p) => p.sustained).map((p) => p.target));
  const high = Math.min(...points.filter((p) => !p.sustained && p.target > low).map((p) => p.target));
  if (!Number.isFinite(low) || !Number.isFinite(high)) return null;
  const middle = Math.round((low + high) / 2 / REFINE_GRANULARITY) * REFINE_GRANULARITY;
  return middle > low && middle < high ? middle : null;
}
