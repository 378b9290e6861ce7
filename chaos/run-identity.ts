/**
 * Where a run lives: its id (seed and start time), its log directory, its own database, topic
 * prefix and consumer-group suffix, and the environment every service instance starts with.
 */
import { join } from 'node:path';
import type { KafkaSecurity } from '../lib/kafka/kafka-security.ts';
import type { ChaosEnvironment } from './environment.ts';
import type { ChaosOptions } from './options.ts';

export interface RunIdentity {
  /** `<seed>-<start time in base 36>` */
  runId: string;
  logDir: string;
  env: ChaosEnvironment;
  /** The consumer group that reads every reply for the checks. */
  checkGroupId: string;
}

export interface IdentityInputs {
  options: ChaosOptions;
  startedAt: number;
  repoRoot: string;
  /** CHAOS_DATABASE_URL, else DATABASE_URL: the server the run's database is created on. */
  processEnv: NodeJS.ProcessEnv;
  kafka: { brokers: readonly string[]; security: KafkaSecurity };
}

export function runIdentity({
  options: o,
  startedAt,
  repoRoot,
  processEnv,
  kafka,
}: IdentityInputs): RunIdentity {
  const runId = `${o.seed}-${startedAt.toString(36)}`;
  const databaseName = `order_saga_chaos_${o.seed}`;
  const databaseUrl = new URL(
    processEnv.CHAOS_DATABASE_URL ??
      processEnv.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/order_saga',
  );
  databaseUrl.pathname = `/${databaseName}`;
  return {
    runId,
    logDir: join(repoRoot, '.stack', 'chaos-logs', runId),
    env: {
      runId,
      databaseName,
      databaseUrl: databaseUrl.toString(),
      topicPrefix: `chaos-${runId}.`,
      groupIdSuffix: `-chaos-${runId}`,
      brokers: [...kafka.brokers],
      kafkaSecurity: kafka.security,
      partitions: o.partitions,
      replicationFactor: o.brokers >= 3 ? 3 : 1,
    },
    checkGroupId: `chaos-check-${runId}`,
  };
}

/** The environment of every service instance (ports are added per instance): the run's isolation and deadlines. */
export function serviceEnvironment(
  o: ChaosOptions,
  env: ChaosEnvironment,
  processEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    ...processEnv,
    TOPIC_PREFIX: env.topicPrefix,
    // every broker: a service (re)started while one is down still finds the cluster
    KAFKA_BROKERS: env.brokers.join(','),
    DATABASE_URL: env.databaseUrl,
    KAFKA_GROUP_ID_SUFFIX: env.groupIdSuffix,
    SAGA_STEP_TIMEOUT_MS: String(o.stepTimeoutMs),
    SAGA_BACKOFF_MULTIPLIER: String(o.backoffMultiplier),
    SAGA_MAX_STEP_TIMEOUT_MS: String(o.maxStepTimeoutMs),
    SAGA_FORWARD_ATTEMPTS: String(o.forwardAttempts),
    SAGA_COMPENSATION_ATTEMPTS: String(o.compensationAttempts),
    SAGA_SWEEP_INTERVAL_MS: '200',
    DB_POOL_MAX: String(o.dbPoolMax),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // Silent windows switch the participants' faults (operator token, faults/silent-windows.ts).
    FAULTS_ENABLED: 'true',
    // The run is the carrier (order-follow-up.ts): the simulated one would race it.
    SIMULATED_CARRIER: 'false',
  };
}
