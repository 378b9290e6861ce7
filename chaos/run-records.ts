/**
 * What a run records while it goes: its findings (violations of invariant 7), slow recoveries that
 * are not violations, the disruptions that explain timeouts, one record per fault, phase timings.
 */
import type { Disruption } from './checks/check-result.ts';
import type { ExpectedDeadLetters } from './checks/reply-checks.ts';
import type { SilencedCommand } from './faults/silenced-commands.ts';

export interface KillRecord {
  victim: string;
  /** The planned victim (differs when its service was silenced at that moment). */
  planned: string;
  downMs: number;
  /** Time since the drive started, e.g. `8.5s`. */
  at: string;
  readyAfterMs: number | null;
  note: string;
}

export interface BrokerRecord {
  at: string;
  restartMs: number;
  allReadyAfterMs: number | null;
  exitsDuring: number;
}

export interface WindowRecord {
  command: SilencedCommand;
  at: string;
  orders: number;
  drainMs: number;
  silentMs: number;
  completed: boolean;
}

/** One fault of the kinds added for three brokers (faults/*): what, when, how long, the outcome. */
export interface FaultRecord {
  kind:
    | 'broker-kill'
    | 'pg-restart'
    | 'registry-outage'
    | 'pause'
    | 'duplicates'
    | 'compensation-fault'
    | 'net-partition';
  /** Time since the drive started, e.g. `8.5s`. */
  at: string;
  /** e.g. `kafka-2`, `payment-1`, `120 messages` */
  target: string;
  /** How long the fault lasted (down, paused, window), ms. */
  durationMs: number;
  /** What came of it, e.g. `back after 11.2s`. */
  outcome: string;
}

export class RunRecords {
  /** What went wrong during the run (reported as violations of invariant 7). */
  readonly findings: string[] = [];
  /** Slow recoveries that are not violations (the instance did come back by itself). */
  readonly availability: string[] = [];
  /** How long restarted instances took to answer HTTP, when over 20 s (runService listens after the consumer joined). */
  readonly slowLive: number[] = [];
  /** Periods in which a service's consumer group (or, for the broker, every group) could not make progress. */
  readonly disruptions: Disruption[] = [];
  readonly kills: KillRecord[] = [];
  readonly brokerRestarts: BrokerRecord[] = [];
  readonly windows: WindowRecord[] = [];
  /** Broker kills, PostgreSQL restarts, registry outages, pauses, duplicate bursts, compensation faults. */
  readonly faults: FaultRecord[] = [];
  /** Dead letters the compensation faults cause on purpose (check 5d). */
  readonly expectedDeadLetters: ExpectedDeadLetters[] = [];
  /** Consumer groups the faults created (duplicate bursts read with their own): deleted at the end. */
  readonly extraGroups: string[] = [];
  /** Milliseconds per phase, in the order they ran. */
  readonly timings: Record<string, number> = {};

  /** Runs one phase of the run and records how long it took, whether it succeeded or not. */
  async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const from = Date.now();
    try {
      return await work();
    } finally {
      this.timings[name] = Date.now() - from;
    }
  }
}
