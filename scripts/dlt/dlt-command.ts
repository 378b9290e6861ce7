/**
 * `npm run dlt -- list <dlt-topic>` and `npm run dlt -- replay <dlt-topic> (--offset N [--partition P] | --all)`
 * (docs/operations.md, "Dead letters"). Kafka as the operator principal (dlt-connection.ts:
 * KAFKA_USERNAME / KAFKA_PASSWORD, the local stack's `operator` when unset; the admin only with
 * --as-admin): it reads the DLT topic and writes the source topic. Replays are audited in the
 * database of DATABASE_URL, on the service that consumes the source topic (or writes it, when its
 * consumer keeps no audit trail); the actor is DLT_OPERATOR (default: the OS user), in role `operator`.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AuditTrail } from '../../lib/audit/audit-trail.ts';
import { createAvroCodec } from '../../lib/avro/codec.ts';
import { loadEndpoints } from '../../lib/config/common-config.ts';
import { serviceSchemas } from '../../lib/db/service-roles.ts';
import { createUnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { systemClock, timeOrderedIds } from '../../lib/ids.ts';
import { dltToolGroupPrefix } from '../../lib/kafka/acls.ts';
import { explainKafkaAccess } from '../../lib/kafka/kafka-access-errors.ts';
import { createIdempotentProducer, createKafka } from '../../lib/kafka/kafka-client.ts';
import { kafkaPrincipalOf } from '../../lib/kafka/kafka-security.ts';
import { createLogger } from '../../lib/logger.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';
import { readDeadLetters } from './dead-letter-records.ts';
import { dltKafkaConnection } from './dlt-connection.ts';
import { formatDeadLetters } from './format-dead-letters.ts';
import {
  auditingService,
  DltUsageError,
  replayDeadLetters,
  type Selection,
  selectLetters,
} from './replay-dead-letters.ts';

export const dltUsage = `usage: npm run dlt -- list <dlt-topic> [--as-admin]
       npm run dlt -- replay <dlt-topic> (--offset N [--partition P] | --all) [--as-admin]
Kafka as the principal 'operator' (KAFKA_USERNAME/KAFKA_PASSWORD, or the local stack's); --as-admin: as the broker's admin`;

export function parseDltArgs(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      offset: { type: 'string' },
      partition: { type: 'string' },
      all: { type: 'boolean', default: false },
      'as-admin': { type: 'boolean', default: false },
    },
  });
  const [command, topic, ...rest] = positionals;
  if ((command !== 'list' && command !== 'replay') || !topic || rest.length > 0)
    throw new DltUsageError(dltUsage);
  if (!topic.endsWith('-dlt')) throw new DltUsageError(`${topic} is not a dead-letter topic (<topic>-dlt)`);
  const asAdmin = values['as-admin'];
  if (command === 'list') return { command, topic, asAdmin } as const;
  if (values.all === (values.offset !== undefined))
    throw new DltUsageError('replay takes either --offset N or --all');
  const integer = (name: string, raw: string | undefined) => {
    if (raw === undefined) return null;
    if (!/^\d+$/.test(raw))
      throw new DltUsageError(`--${name} must be a whole number, not ${JSON.stringify(raw)}`);
    return raw;
  };
  const offset = integer('offset', values.offset);
  const partition = integer('partition', values.partition);
  const selection: Selection =
    offset === null
      ? { all: true }
      : { all: false, offset, partition: partition === null ? null : Number(partition) };
  return { command, topic, selection, asAdmin } as const;
}

/** Runs one command; what it prints goes to `print`. */
export async function runDlt(
  argv: readonly string[],
  print: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const args = parseDltArgs(argv);
  const logger = createLogger('dlt', 'warn');
  const connection = dltKafkaConnection(env, args.asAdmin);
  const kafka = createKafka({ ...connection, clientId: 'dlt-tool', logger });
  // a refused ACL is a KafkaAccessError naming the principal and what it may not do
  const letters = await explainKafkaAccess(() => readDeadLetters(kafka, args.topic), connection.security, {
    operation: 'READ',
    topics: [args.topic],
    group: `${dltToolGroupPrefix}*`,
  });
  if (args.command === 'list') {
    print(formatDeadLetters(args.topic, letters));
    return;
  }
  const chosen = selectLetters(letters, args.selection);
  const endpoints = loadEndpoints(env);
  const service = auditingService(args.topic.slice(0, -'-dlt'.length));
  const schema = serviceSchemas[service];
  const codec = createAvroCodec({ registryUrl: endpoints.schemaRegistryUrl, logger });
  await codec.registerAll();
  const units = createUnitOfWorkRunner({ databaseUrl: endpoints.databaseUrl, maxConnections: 1, logger });
  const producer = createIdempotentProducer(kafka);
  const sources = [...new Set(chosen.map((r) => r.source.topic))];
  try {
    await explainKafkaAccess(() => producer.connect(), connection.security, {
      operation: 'WRITE',
      topics: sources,
    });
    const newId = timeOrderedIds();
    const audit = new AuditTrail({
      service,
      schema,
      units,
      outbox: new Outbox(schema, codec, systemClock),
      clock: systemClock,
      newId,
    });
    const actor = env.DLT_OPERATOR?.trim() || userInfo().username;
    const caller = { actor, role: 'operator', correlationId: randomUUID() };
    const replayed = await explainKafkaAccess(
      () =>
        replayDeadLetters({
          dltTopic: args.topic,
          letters: chosen,
          producer,
          audit,
          caller,
          kafkaPrincipal: kafkaPrincipalOf(connection.security),
        }),
      connection.security,
      { operation: 'WRITE', topics: sources },
    );
    print(
      `replayed ${replayed} dead letter${replayed === 1 ? '' : 's'} of ${args.topic} (audited on ${service} as ${actor})`,
    );
  } finally {
    await producer.disconnect();
    await units.close();
  }
}
