import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { AuditTrail } from '../audit/audit-trail.ts';
import type { AvroCodec } from '../avro/codec.ts';
import { createAvroCodec } from '../avro/codec.ts';
import type { CommonConfig } from '../config/common-config.ts';
import { createDatabase } from '../db/database.ts';
import { checkDatabaseAccess } from '../db/database-access.ts';
import { createUnitOfWorkRunner, type UnitOfWorkRunner } from '../db/unit-of-work.ts';
import { registerHealthRoutes } from '../http/health.ts';
import { type Clock, type IdGenerator, systemClock, timeOrderedIds } from '../ids.ts';
import {
  describeKafkaAccessError,
  explainKafkaAccess,
  type KafkaAccessContext,
} from '../kafka/kafka-access-errors.ts';
import { createIdempotentProducer, createKafka } from '../kafka/kafka-client.ts';
import { linearGroupingInstalled } from '../kafka/kafkajs-patches/index.ts';
import { createLogger, type Logger } from '../logger.ts';
import { pruneInboxBatch } from '../maintenance/inbox-pruner.ts';
import { type PruneTask, startPruner } from '../maintenance/pruner.ts';
import { minutesMs } from '../maintenance/retention.ts';
import {
  type BatchHandler,
  createMessageConsumer,
  type MessageConsumerOptions,
} from '../messaging/message-consumer.ts';
import { createConsumerMetrics } from '../metrics/consumer-metrics.ts';
import { serveMetrics } from '../metrics/http-metrics.ts';
import { countOutboxRows, createOutboxMetrics } from '../metrics/outbox-metrics.ts';
import { createMetricsRegistry, type Registry } from '../metrics/registry.ts';
import { Outbox } from '../outbox/outbox.ts';
import { startOutboxRelay } from '../outbox/outbox-relay.ts';
import { createTracing } from '../tracing/tracing.ts';
import type { Tracing } from '../tracing/tracing-api.ts';
import { isRegistryUnavailable, retryStartupStep } from './startup-retry.ts';

/** How long a starting service waits for an unavailable registry or broker (kafkajs's own retries come on top). */
const startupWaitMs = 180_000;

/** What a service's handler and HTTP app are given: everything is created once, at start-up. */
export interface ServiceDeps {
  config: CommonConfig;
  logger: Logger;
  /** Queries outside the message flow (HTTP reads, health). */
  db: Knex;
  /** Transactions of the message flow and of commands: reads that lock, then one write statement. */
  units: UnitOfWorkRunner;
  codec: AvroCodec;
  outbox: Outbox;
  producer: Producer;
  clock: Clock;
  newId: IdGenerator;
  /** The service's audit trail of operator actions (lib/audit). */
  audit: AuditTrail;
  /** The process's metrics registry, served at GET /metrics (lib/metrics). */
  metrics: Registry;
  /** Spans, exported when OTEL_EXPORTER_OTLP_ENDPOINT is set (lib/tracing). */
  tracing: Tracing;
}

export interface BackgroundTask {
  stop(): Promise<void>;
}

export interface ServiceDefinition {
  /** Service name: logger name, Kafka client id and consumer group id. */
  name: string;
  /** The service's Postgres schema (its outbox and inbox live there). */
  schema: string;
  config: CommonConfig;
  port: number;
  consumes: readonly string[];
  createHandler(deps: ServiceDeps): BatchHandler;
  /** Builds the HTTP app (routes only; health routes and listen are added here). */
  buildApp(deps: ServiceDeps): Promise<FastifyInstance>;
  consumerOptions?: Pick<MessageConsumerOptions, 'drop' | 'beforeHandle' | 'partitionsConsumedConcurrently'>;
  startBackground?(deps: ServiceDeps): BackgroundTask;
  /** Rows of its own schema the background pruner deletes besides the inbox's (lib/maintenance). */
  pruneTasks?(deps: ServiceDeps): PruneTask[];
  /** Registers the service's own metrics (besides the common ones: consumer, outbox, HTTP, process). */
  registerMetrics?(deps: ServiceDeps): void;
}

/**
 * Wires one service: database, schema registry (registers every contract), Kafka producer, outbox
 * relay, consumer, HTTP app with health routes and GET /metrics, tracing; stops them in reverse
 * order on SIGINT/SIGTERM.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const { config, name } = definition;
  const logger = createLogger(name, config.logLevel);
  if (!linearGroupingInstalled()) {
    logger.warn(
      'kafkajs was loaded before lib/kafka/kafkajs-patches/index.ts: produce batches are grouped by partition in quadratic time; import it first in the entry point',
    );
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  await checkDatabaseAccess(config.databaseUrl, definition.schema);
  const db = createDatabase(config.databaseUrl, { poolMax: config.dbPoolMax, timeouts: config.dbTimeouts });
  const units = createUnitOfWorkRunner({
    databaseUrl: config.databaseUrl,
    maxConnections: config.dbPoolMax,
    timeouts: config.dbTimeouts,
    logger,
  });
  const codec = createAvroCodec({ registryUrl: config.schemaRegistryUrl, logger });
  await retryStartupStep(() => codec.registerAll(), {
    timeoutMs: startupWaitMs,
    isTransient: isRegistryUnavailable,
    onRetry: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'schema registry unavailable at startup; trying again'),
  });
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    security: config.kafkaSecurity,
    clientId: name,
    logger,
  });
  const producer = createIdempotentProducer(kafka, logger);
  const groupId = `${name}${config.groupIdSuffix}`;
  const metrics = createMetricsRegistry();
  const tracing = createTracing(name, config.otlpEndpoint);
  const describeAccess = (error: unknown, context?: KafkaAccessContext) =>
    describeKafkaAccessError(error, config.kafkaSecurity, context);
  const consumed: KafkaAccessContext = { operation: 'READ', topics: definition.consumes, group: groupId };
  // a wrong password or a missing ACL stops the service with one line saying which; a broker away
  // (an outage, a leader election) is waited out (startup-retry.ts)
  const waitingOut = (step: string) => ({
    timeoutMs: startupWaitMs,
    onRetry: (error: unknown, attempt: number) =>
      logger.warn({ err: error, attempt }, `${step}: Kafka unavailable at startup; trying again`),
  });
  await explainKafkaAccess(
    () => retryStartupStep(() => producer.connect(), waitingOut('producer connect')),
    config.kafkaSecurity,
  );

  const relay = startOutboxRelay({
    databaseUrl: config.databaseUrl,
    schema: definition.schema,
    producer,
    logger,
    lingerMs: config.outboxRelayLingerMs,
    batchSize: config.outboxRelayBatchSize,
    vacuumEveryRows: config.outboxVacuumEveryRows,
    timeouts: config.dbTimeouts,
    orderTraceparents: config.traceContextHeaders,
    describeAccessError: (error, topics) => describeAccess(error, { operation: 'WRITE', topics }),
    observer: createOutboxMetrics(metrics, () => countOutboxRows(db, definition.schema)),
  });
  const outbox = new Outbox(definition.schema, codec, systemClock, relay, config.traceContextHeaders);
  const newId = timeOrderedIds();
  const deps: ServiceDeps = {
    config,
    logger,
    db,
    units,
    codec,
    outbox,
    producer,
    clock: systemClock,
    newId,
    audit: new AuditTrail({
      service: name,
      schema: definition.schema,
      units,
      outbox,
      clock: systemClock,
      newId,
    }),
    metrics,
    tracing,
  };
  definition.registerMetrics?.(deps);
  const consumer = createMessageConsumer({
    kafka,
    groupId,
    topics: definition.consumes,
    decoder: codec,
    units,
    inboxSchema: definition.schema,
    handle: definition.createHandler(deps),
    producer,
    logger,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    fetchMinBytes: config.kafkaFetchMinBytes,
    fetchMaxWaitMs: config.kafkaFetchMaxWaitMs,
    offsetCommitIntervalMs: config.kafkaOffsetCommitIntervalMs,
    describeAccessError: (error) => describeAccess(error, consumed),
    observer: createConsumerMetrics(metrics),
    tracing,
    ...definition.consumerOptions,
  });

  const app = await definition.buildApp(deps);
  registerHealthRoutes(app, {
    database: async () => {
      await db.raw('select 1');
      return true;
    },
    kafkaConsumer: () => consumer.ready,
    outboxRelay: () => relay.healthy,
  });
  serveMetrics(app, metrics);
  await app.listen({ host: config.host, port: definition.port });
  logger.info({ url: `http://${config.host}:${definition.port}` }, `${name} listening`);
  // HTTP first: a restarted instance answers (readiness says not-ready) while its consumer joins the group.
  await explainKafkaAccess(
    () => retryStartupStep(() => consumer.start(), waitingOut('consumer start')),
    config.kafkaSecurity,
    consumed,
  );
  const background = definition.startBackground?.(deps);
  const pruner = startPruner({
    tasks: [inboxPruneTask(db, definition.schema, config), ...(definition.pruneTasks?.(deps) ?? [])],
    clock: systemClock,
    logger,
    intervalMs: config.retention.pruneIntervalMs,
    batchSize: config.retention.pruneBatchSize,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await app.close();
      await pruner.stop();
      await background?.stop();
      await consumer.stop();
      await relay.stop();
      await producer.disconnect();
      await tracing.shutdown();
      await units.close();
      await db.destroy();
      logger.info(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** The inbox's rows processed longer ago than the retention (lib/maintenance/retention.ts). */
const inboxPruneTask = (db: Knex, schema: string, config: CommonConfig): PruneTask => {
  const retentionMs = minutesMs(config.retention.inboxRetentionMinutes);
  return {
    name: 'inbox',
    pruneBatch: (now, limit) => pruneInboxBatch(db, schema, new Date(now.getTime() - retentionMs), limit),
  };
};
