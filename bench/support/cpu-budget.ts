/**
 * What the ratio goal asks of the machine in CPU: to complete half the saga ceiling per second, all
 * processes together (services, broker, registry, Postgres, the bench) may spend at most
 * cores × 1000 ms ÷ (ceiling ÷ 2) of CPU per saga. Set against what the best point spent, it says
 * how far the goal is in the unit the optimisations work in.
 */
export interface CpuBudget {
  /** Half the saga ceiling: the rate the goal asks for. */
  targetSagasPerS: number;
  /** CPU ms per saga the machine's cores allow at that rate (every core 100 % busy). */
  allowedMsPerSaga: number;
  /** CPU ms per saga the whole machine spent at the best point (busy time ÷ completed sagas). */
  spentMsPerSaga: number;
  /** 1 − allowed ÷ spent: the share of the CPU per saga to save; ≤ 0 when within budget. */
  toSave: number;
}

export function cpuBudget({
  ceilingSagasPerS,
  cores,
  best,
}: {
  ceilingSagasPerS: number | null;
  cores: number;
  best: { completed: number; wallSeconds: number; machineBusyPercent: number } | null;
}): CpuBudget | null {
  if (ceilingSagasPerS === null || ceilingSagasPerS <= 0 || best === null || best.completed <= 0) return null;
  const targetSagasPerS = ceilingSagasPerS / 2;
  const allowedMsPerSaga = (cores * 1000) / targetSagasPerS;
  const busyMs = (best.machineBusyPercent / 100) * cores * best.wallSeconds * 1000;
  const spentMsPerSaga = busyMs / best.completed;
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    targetSagasPerS: Math.round(targetSagasPerS),
    allowedMsPerSaga: round(allowedMsPerSaga, 2),
    spentMsPerSaga: round(spentMsPerSaga, 2),
    toSave: round(1 - allowedMsPerSaga / spentMsPerSaga, 2),
  };
}
