/**
 * The plan of a run: everything random is decided here, from the seed, before anything runs — the
 * kinds of the regular orders, the kills (moment, victim, down time), the broker restarts and the
 * silent windows. The same options give the same plan.
 */
import { Prng } from '../lib/random/prng.ts';
import { serviceNames } from './cluster.ts';
import { type FaultPlans, planFaults } from './faults/fault-plans.ts';
import { type SilencedCommand, windowCommands } from './faults/silenced-commands.ts';
import type { ChaosOptions } from './options.ts';
import { type RegularKind, regularMix } from './order-mix.ts';

/** Times are milliseconds after the drive starts. */
export interface KillPlan {
  at: number;
  /** Instance label, e.g. `payment-2` (redirected when its service is silenced at that moment). */
  victim: string;
  downMs: number;
}

export interface WindowPlan {
  at: number;
  command: SilencedCommand;
  orders: number;
}

export interface RunPlan {
  durationMs: number;
  /** Silent windows that fit: each needs at least four times its orders in the run. */
  windows: number;
  regularCount: number;
  regularKinds: RegularKind[];
  killPlans: KillPlan[];
  /** Moments of the broker restarts, in order. */
  brokerPlans: number[];
  windowPlans: WindowPlan[];
  /** Broker kills, PostgreSQL restarts, registry outages, pauses, duplicates, compensation faults. */
  faultPlans: FaultPlans;
}

export function planRun(o: ChaosOptions): RunPlan {
  const durationMs = o.durationS * 1000;
  const planRandom = new Prng(o.seed);
  const kindRandom = planRandom.fork();
  const chaosRandom = planRandom.fork();
  const windowRandom = planRandom.fork();
  const windows = Math.min(o.silentWindows, Math.floor(o.orders / (o.silentOrders * 4)));
  const regularCount = o.orders - windows * o.silentOrders;
  const regularKinds: RegularKind[] = Array.from({ length: regularCount }, () =>
    kindRandom.weighted(regularMix),
  );
  const instanceLabels = Array.from({ length: o.instances }, (_, i) =>
    serviceNames.map((s) => `${s}-${i + 1}`),
  ).flat();
  const killPlans: KillPlan[] = Array.from({ length: o.kills }, () => ({
    at: Math.round(durationMs * (0.03 + 0.87 * chaosRandom.next())),
    victim: chaosRandom.pick(instanceLabels),
    downMs: chaosRandom.int(300, 5_000),
  })).sort((a, b) => a.at - b.at);
  const brokerPlans: number[] = Array.from({ length: o.brokerRestarts }, () =>
    Math.round(durationMs * (0.15 + 0.65 * chaosRandom.next())),
  ).sort((a, b) => a - b);
  const firstWindowCommand = windowRandom.int(0, windowCommands.length - 1);
  const windowPlans: WindowPlan[] = Array.from({ length: windows }, (_, w) => ({
    at: Math.round(durationMs * (0.05 + (0.8 * (w + windowRandom.next())) / windows)),
    command: windowCommands[(firstWindowCommand + w) % windowCommands.length] as SilencedCommand,
    orders: o.silentOrders,
  }));
  const faultPlans = planFaults(o, durationMs);
  return { durationMs, windows, regularCount, regularKinds, killPlans, brokerPlans, windowPlans, faultPlans };
}

/** The random stream of order n's body: the same for the same seed and n, whatever else happened. */
export const orderBodyRandom = (seed: number, n: number): Prng =>
  new Prng((seed ^ Math.imul(n, 0x9e3779b1)) >>> 0);
