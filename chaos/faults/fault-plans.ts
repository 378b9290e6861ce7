/**
 * The plan of the faults added for three brokers (issue 39): broker kills, PostgreSQL restarts,
 * registry outages, pauses, duplicate bursts and compensation-fault windows — moments, victims and
 * durations, all from the seed, before anything runs. A random stream of its own (derived from the
 * seed), so a seed keeps the kills, broker restarts and windows it always had.
 */
import { Prng } from '../../lib/random/prng.ts';
import { serviceNames } from '../cluster.ts';
import type { ChaosOptions } from '../options.ts';

/** Times are milliseconds after the drive starts. */
export interface BrokerKillPlan {
  at: number;
  /** 1..3: `kafka`, `kafka-2`, `kafka-3` */
  node: number;
  downMs: number;
}

export interface OutagePlan {
  at: number;
  downMs: number;
}

export interface PausePlan {
  at: number;
  /** Instance label, e.g. `payment-2` (redirected like a kill when its service is silenced). */
  victim: string;
  pauseMs: number;
}

export interface DuplicateBurstPlan {
  at: number;
  /** Messages re-published from each topic. */
  perTopic: number;
  /** Seed of the burst's choice of messages. */
  seed: number;
}

export interface FaultPlans {
  brokerKills: BrokerKillPlan[];
  pgRestarts: number[];
  registryOutages: OutagePlan[];
  pauses: PausePlan[];
  duplicateBursts: DuplicateBurstPlan[];
  /** Moments of the compensation-fault windows (run after the silent windows, one at a time). */
  compensationWindows: number[];
}

/** The consumers' session timeout (KAFKA_SESSION_TIMEOUT_MS default): a pause must outlast it. */
export const sessionTimeoutMs = 10_000;
/** Bursts the duplicates are spread over. */
export const maxDuplicateBursts = 4;
/** Orders placed in each compensation-fault window. */
export const compensationOrders = 2;

const byTime = <T extends { at: number }>(list: T[]): T[] => list.sort((a, b) => a.at - b.at);

/** Splits `total` into `parts` counts that differ by at most one (the first ones get the extra). */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export function planFaults(o: ChaosOptions, durationMs: number): FaultPlans {
  const random = new Prng((o.seed ^ 0x5bd1e995) >>> 0);
  const moment = (from: number, to: number) => Math.round(durationMs * (from + (to - from) * random.next()));
  const labels = Array.from({ length: o.instances }, (_, i) =>
    serviceNames.map((s) => `${s}-${i + 1}`),
  ).flat();
  const brokerKills = byTime(
    Array.from({ length: o.brokerKills }, () => ({
      at: moment(0.1, 0.8),
      node: random.int(1, 3),
      downMs: random.int(2_000, 10_000),
    })),
  );
  const pgRestarts = Array.from({ length: o.pgRestarts }, () => moment(0.15, 0.8)).sort((a, b) => a - b);
  const registryOutages = byTime(
    Array.from({ length: o.registryOutages }, () => ({
      at: moment(0.1, 0.8),
      downMs: random.int(3_000, 10_000),
    })),
  );
  const pauses = byTime(
    Array.from({ length: o.pauses }, () => ({
      at: moment(0.1, 0.8),
      victim: random.pick(labels),
      pauseMs: sessionTimeoutMs + random.int(2_000, 8_000),
    })),
  );
  const bursts = Math.min(maxDuplicateBursts, o.duplicates);
  const duplicateBursts = split(o.duplicates, bursts).map((perTopic, b) => ({
    at: Math.round(durationMs * (0.2 + (0.7 * (b + random.next())) / bursts)),
    perTopic,
    seed: random.int(0, 2 ** 31 - 1),
  }));
  const compensationWindows = Array.from({ length: o.compensationFaults }, (_, w) =>
    Math.round(durationMs * (0.1 + (0.6 * (w + random.next())) / o.compensationFaults)),
  );
  return { brokerKills, pgRestarts, registryOutages, pauses, duplicateBursts, compensationWindows };
}
