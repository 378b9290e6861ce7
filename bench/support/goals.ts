/**
 * The three goals, judged from a run's points and the saga ceiling min(echo ÷ 3, database).
 * Pure, so the judgement is unit-tested apart from the run.
 */

import { round } from './process-stats.ts';
import type { MeasuredPoint } from './report.ts';

export type GoalPoint = Pick<MeasuredPoint, 'kind' | 'target' | 'sustained' | 'sagasPerS' | 'latencyMs'>;

export interface GoalSummary {
  maxSustainedRate: number | null;
  bestSagasPerS: number;
  sustainedSagasPerS: number | null;
  p99AtRate500Ms: number | null;
  ratio: number | null;
  sustainedRatio: number | null;
  goals: { sustained1000: boolean | null; p99At500Within250: boolean | null; halfOfCeiling: boolean | null };
}

export function judgeGoals(
  points: readonly GoalPoint[],
  ceilingSagasPerS: number | null,
  offeredRates: readonly number[],
): GoalSummary {
  const best = Math.max(0, ...points.map((p) => p.sagasPerS));
  let highestSustained: GoalPoint | null = null;
  for (const p of points)
    if (p.kind === 'open' && p.sustained && (highestSustained === null || p.target > highestSustained.target))
      highestSustained = p;
  const at500 = points.find((p) => p.kind === 'open' && p.target === 500);
  const ceiling = ceilingSagasPerS && ceilingSagasPerS > 0 ? ceilingSagasPerS : null;
  // Sagas completed per second at the highest sustained rate, not the rate offered: the ceilings are
  // measured throughputs too. Compared with one half before rounding, so 0.4996 does not pass as 0.50.
  const exactSustainedRatio = ceiling && highestSustained ? highestSustained.sagasPerS / ceiling : null;
  const maxSustainedRate = highestSustained?.target ?? null;
  const ratio = ceiling && points.length > 0 ? round(best / ceiling, 2) : null;
  return {
    maxSustainedRate,
    bestSagasPerS: best,
    sustainedSagasPerS: highestSustained?.sagasPerS ?? null,
    p99AtRate500Ms: at500?.latencyMs?.p99 ?? null,
    ratio,
    sustainedRatio: exactSustainedRatio === null ? null : round(exactSustainedRatio, 3),
    goals: {
      sustained1000: offeredRates.some((r) => r >= 1000) ? (maxSustainedRate ?? 0) >= 1000 : null,
      p99At500Within250: at500?.latencyMs ? at500.latencyMs.p99 <= 250 : null,
      halfOfCeiling: ratio === null ? null : (exactSustainedRatio ?? 0) >= 0.5,
    },
  };
}
