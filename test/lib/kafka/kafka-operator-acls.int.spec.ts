/**
 * The operator principal on the real broker (lib/kafka/acls.ts, `operatorTopicAcls`): `npm run dlt`
 * lists a dead-letter topic as it; it writes the consumed topics (replays) and nothing else, reads
 * the dead-letter topics and nothing else, creates no topic and joins only its listing groups. A
 * service principal reads no dead-letter topic, not even the one it writes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Kafka, Producer } from 'kafkajs';
import { clientAcls, clientTopicAcls, dltToolGroupPrefix } from '../../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../../../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../../../lib/kafka/kafka-admin.ts';
import { createIdempotentProducer, createKafka } from '../../../lib/kafka/kafka-client.ts';
import type { KafkaSecurity } from '../../../lib/kafka/kafka-security.ts';
import { deadLetterTopicOf, topicsWithPrefix } from '../../../lib/kafka/topics.ts';
import { createLogger } from '../../../lib/logger.ts';
import { runDlt } from '../../../scripts/dlt/dlt-command.ts';
import { localSecret } from '../../../scripts/support/local-secrets.ts';
import { testKafkaConnection } from '../../support/kafka-harness.ts';

const { brokers } = testKafkaConnection();
const logger = createLogger('kafka-operator-acls-it', 'silent');
const run = randomUUID().slice(0, 8);
const prefix = `op-acl-it-${run}.`;
const topicOf = (base: string): string => `${prefix}${base}`;

const scram = (username: string): KafkaSecurity => ({
  sasl: { mechanism: 'scram-sha-512', username, password: localSecret(`kafka-${username}`) },
  tls: null,
});
const kafkaAs = (username: string, clientId: string): Kafka =>
  createKafka({ brokers, security: scram(username), clientId: `${clientId}-${run}`, logger });

/** Kafka error types anywhere in the chain (or aggregate) kafkajs wraps a failure in. */
const errorTypes = (error: unknown): string[] => {
  const types: string[] = [];
  const pending = [error];
  while (pending.length > 0) {
    const e = pending.pop() as
      | { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown }
      | undefined;
    if (e === undefined || e === null || typeof e !== 'object') continue;
    if (typeof e.type === 'string') types.push(e.type);
    pending.push(e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return types;
};

/** `work` must fail with the Kafka error `type`. */
const refused = async (type: string, work: () => Promise<unknown>): Promise<void> => {
  let failure: unknown;
  try {
    await work();
  } catch (error) {
    failure = error;
  }
  assert.ok(failure !== undefined, `expected ${type}, but Kafka allowed it`);
  assert.ok(errorTypes(failure).includes(type), `expected ${type}, got ${String(failure)}`);
};

/**
 * Reads `topic` in `groupId`: resolves at the first message, rejects with the error the consumer
 * crashed on (a refusal on JoinGroup or Fetch surfaces there, not from run()); after `timeoutMs`
 * with neither, resolves: nothing was refused.
 */
const consume = async (kafka: Kafka, groupId: string, topic: string, timeoutMs = 15_000): Promise<void> => {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    timer = setTimeout(resolve, timeoutMs);
    consumer
      .connect()
      .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
      .then(() => consumer.run({ eachMessage: async () => resolve() }))
      .catch(reject);
  });
  try {
    await outcome;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
};

describe('the operator principal on the broker', () => {
  const operator = kafkaAs('operator', 'op-acl-it-operator');
  let producer: Producer;
  const letterKey = `op-acl-it-${run}`;

  before(async () => {
    await withKafkaAdmin(testKafkaConnection(), 'op-acl-it-admin', async (admin) => {
      await ensureTopics(admin, topicsWithPrefix(prefix), { numPartitions: 1, replicationFactor: 1 });
      await ensureAcls(admin, clientAcls(prefix));
      // a dead letter, as the inventory consumer would have written it
      const admins = createIdempotentProducer(
        createKafka({ ...testKafkaConnection(), clientId: 'op-acl-it', logger }),
      );
      await admins.connect();
      try {
        await admins.send({
          topic: deadLetterTopicOf(topicOf('inventory-commands')),
          messages: [
            {
              key: letterKey,
              value: 'x',
              headers: {
                'message-id': randomUUID(),
                'dlt-reason': 'decode_failed',
                'dlt-source-topic': topicOf('inventory-commands'),
                'dlt-source-partition': '0',
                'dlt-source-offset': '0',
              },
            },
          ],
        });
      } finally {
        await admins.disconnect();
      }
    });
    producer = createIdempotentProducer(operator);
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await withKafkaAdmin(testKafkaConnection(), 'op-acl-it-admin', async (admin) => {
      await admin.deleteTopics({ topics: topicsWithPrefix(prefix) });
      await removeAcls(admin, clientTopicAcls(prefix));
    });
  });

  test('npm run dlt lists a dead-letter topic as the operator, and is refused one no service writes', async () => {
    const out: string[] = [];
    const env = { ...process.env, KAFKA_USERNAME: 'operator', KAFKA_PASSWORD: localSecret('kafka-operator') };
    await runDlt(['list', deadLetterTopicOf(topicOf('inventory-commands'))], (l) => out.push(l), env);
    const text = out.join('\n');
    assert.match(text, new RegExp(`\\t${letterKey}\\t`));
    assert.match(text, /\n1 dead letter in /);
    // audit-events-dlt: no service writes it, so the operator may not read it; one line says so
    await assert.rejects(
      runDlt(['list', deadLetterTopicOf(topicOf('audit-events'))], () => undefined, env),
      (error: Error) =>
        error.name === 'KafkaAccessError' &&
        error.message ===
          `Kafka ACL: principal 'operator' may not READ topic '${topicOf('audit-events-dlt')}' (TOPIC_AUTHORIZATION_FAILED; ACLs: lib/kafka/acls.ts)`,
    );
  });

  test('the operator writes a consumed topic (where a replay goes)', async () => {
    const [result] = await producer.send({
      topic: topicOf('payment-commands'),
      messages: [{ key: letterKey, value: 'replayed' }],
    });
    assert.equal(result?.errorCode, 0);
  });

  test('the operator may not write audit-events, which no service consumes, nor a dead-letter topic', async () => {
    for (const topic of [topicOf('audit-events'), deadLetterTopicOf(topicOf('payment-commands'))])
      await refused('TOPIC_AUTHORIZATION_FAILED', () =>
        producer.send({ topic, messages: [{ key: letterKey, value: 'forged' }] }),
      );
  });

  test('the operator may not read a topic that is no dead-letter topic', async () => {
    for (const base of ['payment-commands', 'order-events', 'audit-events'])
      await refused('TOPIC_AUTHORIZATION_FAILED', () =>
        consume(operator, `${dltToolGroupPrefix}${randomUUID()}`, topicOf(base)),
      );
  });

  test("the operator may not join a service's consumer group, nor create a topic", async () => {
    const dlt = deadLetterTopicOf(topicOf('inventory-commands'));
    // its own listing group reads the letter
    await consume(operator, `${dltToolGroupPrefix}${randomUUID()}`, dlt);
    // the broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs reports only
    // that it found no coordinator (the broker's reason is in its error log)
    await assert.rejects(
      consume(operator, `inventory-op-acl-it-${run}`, dlt),
      (error: Error) => error.name === 'KafkaJSGroupCoordinatorNotFound',
    );
    const admin = operator.admin();
    await admin.connect();
    try {
      await refused('TOPIC_AUTHORIZATION_FAILED', () =>
        admin.createTopics({ topics: [{ topic: topicOf('not-allowed'), numPartitions: 1 }] }),
      );
    } finally {
      await admin.disconnect();
    }
  });

  test('a service reads no dead-letter topic: neither another’s nor the one it writes', async () => {
    const payment = kafkaAs('payment', 'op-acl-it-payment');
    for (const base of ['inventory-commands', 'payment-commands'])
      await refused('TOPIC_AUTHORIZATION_FAILED', () =>
        consume(payment, `payment-op-acl-it-${run}`, deadLetterTopicOf(topicOf(base))),
      );
  });
});
