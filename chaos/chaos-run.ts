/** Everything the phases of one chaos run share. */
import type { Cluster } from './cluster.ts';
import type { DriveClock } from './drive-clock.ts';
import type { EventLog } from './event-log.ts';
import type { FaultState } from './faults/fault-state.ts';
import type { NetFabric } from './net/net-fabric.ts';
import type { ChaosOptions } from './options.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import type { RunIdentity } from './run-identity.ts';
import type { RunLifetime } from './run-lifetime.ts';
import type { RunPlan } from './run-plan.ts';
import type { RunRecords } from './run-records.ts';

export interface ChaosRun {
  options: ChaosOptions;
  plan: RunPlan;
  identity: RunIdentity;
  /** `npm run chaos -- …` with every option: repeats this plan. */
  command: string;
  log: EventLog;
  lifetime: RunLifetime;
  clock: DriveClock;
  cluster: Cluster;
  records: RunRecords;
  faults: FaultState;
  /** The instances' network namespaces (`--net-partitions`, `--net-delay`); null when they run on the host's. */
  network: NetFabric | null;
  /** The run's own PostgreSQL cluster (--private-pg), or null: the shared server. */
  privatePg: PrivatePostgres | null;
}
