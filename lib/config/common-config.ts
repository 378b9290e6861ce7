import { readSessionTimeouts, type SessionTimeouts } from '../db/session-timeouts.ts';
import { type KafkaSecurity, readKafkaSecurity } from '../kafka/kafka-security.ts';
import { type LogLevel, logLevels } from '../logger.ts';
import { DEFAULT_OUTBOX_RELAY_BATCH_SIZE } from '../outbox/outbox-relay.ts';
import { DEFAULT_OUTBOX_VACUUM_EVERY_ROWS } from '../outbox/outbox-vacuum.ts';
import { type Env, EnvReader } from './env.ts';

/** Settings every service shares. Defaults match `npm run stack -- up`. */
export interface CommonConfig {
  kafkaBrokers: string[];
  /** SASL credentials and TLS of every Kafka client (lib/kafka/kafka-security.ts). */
  kafkaSecurity: KafkaSecurity;
  schemaRegistryUrl: string;
  databaseUrl: string;
  host: string;
  logLevel: LogLevel;
  /** Appended to every consumer group id; tests use it to start from a clean group. */
  groupIdSuffix: string;
  dbPoolMax: number;
  /** DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS: every connection's (lib/db/session-timeouts.ts). */
  dbTimeouts: SessionTimeouts;
  /** How long a consumer group waits for a dead member before rebalancing its partitions. */
  kafkaSessionTimeoutMs: number;
  /** Fetch tuning: the broker answers a fetch once it has this many bytes or the wait has passed. */
  kafkaFetchMinBytes: number;
  kafkaFetchMaxWaitMs: number;
  /** Consumed offsets are committed to Kafka at most this often (the inbox drops redeliveries). */
  kafkaOffsetCommitIntervalMs: number;
  /** The outbox relay waits this long after a wake-up from idle, so one batch carries more rows. */
  outboxRelayLingerMs: number;
  /** Most rows the outbox relay publishes in one produce request (and reads in one table read). */
  outboxRelayBatchSize: number;
  /** The relay vacuums its outbox after this many published rows (0: leave it to autovacuum). */
  outboxVacuumEveryRows: number;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT: where spans are exported (OTLP/HTTP, `<endpoint>/v1/traces`); null:
   * no spans are recorded (lib/tracing).
   */
  otlpEndpoint: string | null;
}

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/order_saga';

export function readCommonConfig(reader: EnvReader): CommonConfig {
  return {
    ...readEndpoints(reader),
    kafkaSecurity: readKafkaSecurity(reader),
    host: reader.string('HOST', '127.0.0.1'),
    logLevel: reader.oneOf('LOG_LEVEL', 'info', logLevels),
    groupIdSuffix: reader.string('KAFKA_GROUP_ID_SUFFIX', ''),
    dbPoolMax: reader.int('DB_POOL_MAX', 10, { min: 1, max: 200 }),
    dbTimeouts: readSessionTimeouts(reader),
    // The broker refuses less than its group.min.session.timeout.ms (6 s by default).
    kafkaSessionTimeoutMs: reader.int('KAFKA_SESSION_TIMEOUT_MS', 10_000, { min: 6_000, max: 300_000 }),
    kafkaFetchMinBytes: reader.int('KAFKA_FETCH_MIN_BYTES', 1, { min: 1, max: 10_485_760 }),
    kafkaFetchMaxWaitMs: reader.int('KAFKA_FETCH_MAX_WAIT_MS', 250, { min: 1, max: 5_000 }),
    kafkaOffsetCommitIntervalMs: reader.int('KAFKA_OFFSET_COMMIT_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
    outboxRelayLingerMs: reader.int('OUTBOX_RELAY_LINGER_MS', 0, { min: 0, max: 1_000 }),
    outboxRelayBatchSize: reader.int('OUTBOX_RELAY_BATCH_SIZE', DEFAULT_OUTBOX_RELAY_BATCH_SIZE, {
      min: 1,
      max: 100_000,
    }),
    outboxVacuumEveryRows: reader.int('OUTBOX_VACUUM_EVERY_ROWS', DEFAULT_OUTBOX_VACUUM_EVERY_ROWS, {
      min: 0,
      max: 10_000_000,
    }),
    otlpEndpoint: readOtlpEndpoint(reader),
  };
}

function readOtlpEndpoint(reader: EnvReader): string | null {
  const name = 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (reader.optional(name) === undefined) return null;
  return reader.url(name, '', ['http:', 'https:']);
}

/** Where the infrastructure is: what the tools need that act as no service (migrations, the bench's driver). */
export type Endpoints = Pick<CommonConfig, 'kafkaBrokers' | 'schemaRegistryUrl' | 'databaseUrl'>;

function readEndpoints(reader: EnvReader): Endpoints {
  return {
    kafkaBrokers: reader.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
    schemaRegistryUrl: reader.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7', [
      'http:',
      'https:',
    ]),
    databaseUrl: reader.url('DATABASE_URL', defaultDatabaseUrl, ['postgres:', 'postgresql:']),
  };
}

/**
 * The endpoints alone, for scripts that log into Postgres as its owner or talk to Kafka as the
 * admin (their Kafka credentials come from elsewhere, e.g. scripts/support/kafka-env.ts).
 */
export function loadEndpoints(env: Env = process.env): Endpoints {
  const reader = new EnvReader(env);
  const endpoints = readEndpoints(reader);
  reader.done();
  return endpoints;
}

export function loadCommonConfig(env: Env = process.env): CommonConfig {
  const reader = new EnvReader(env);
  const config = readCommonConfig(reader);
  reader.done();
  return config;
}
