/**
 * Least privilege on the real broker (SASL/SCRAM listener, StandardAuthorizer, the ACLs of
 * lib/kafka/acls.ts applied by `npm test` for this run's topics, or by `npm run stack -- up` for the
 * unprefixed ones): a service's principal writes and reads only what it owns, a wrong password and a
 * client without SASL are refused, and every refusal is described in one line naming what is wrong.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { serviceAcls, serviceTopicAcls } from '../../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../../../lib/kafka/ensure-topics.ts';
import { describeKafkaAccessError } from '../../../lib/kafka/kafka-access-errors.ts';
import { withKafkaAdmin } from '../../../lib/kafka/kafka-admin.ts';
import { createIdempotentProducer, createKafka } from '../../../lib/kafka/kafka-client.ts';
import type { KafkaSecurity } from '../../../lib/kafka/kafka-security.ts';
import { baseTopics, Topics } from '../../../lib/kafka/topics.ts';
import { createLogger } from '../../../lib/logger.ts';
import { localSecret } from '../../../scripts/support/local-secrets.ts';
import { testKafkaConnection } from '../../support/kafka-harness.ts';

const { brokers } = testKafkaConnection();
const logger = createLogger('kafka-acls-it', 'silent');
const run = randomUUID().slice(0, 8);

const scram = (username: string, password: string): KafkaSecurity => ({
  sasl: { mechanism: 'scram-sha-512', username, password },
  tls: null,
});
const inventory = scram('inventory', localSecret('kafka-inventory'));

const kafkaAs = (security: KafkaSecurity, clientId: string): Kafka =>
  createKafka({ brokers, security, clientId, logger });

/** Kafka error types anywhere in the chain kafkajs wraps a failure in. */
const errorTypes = (error: unknown): string[] => {
  const types: string[] = [];
  const pending = [error];
  while (pending.length > 0) {
    const e = pending.pop() as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined;
    if (e === undefined || e === null || typeof e !== 'object') continue;
    if (typeof e.type === 'string') types.push(e.type);
    pending.push(e.cause, e.originalError);
  }
  return types;
};

const failureOf = async (work: () => Promise<unknown>): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected Kafka to refuse, but it allowed it');
};

describe('Kafka ACLs and SASL on the broker', () => {
  let producer: Producer;

  before(async () => {
    producer = createIdempotentProducer(kafkaAs(inventory, `acl-it-inventory-${run}`));
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
  });

  test("inventory's principal writes its own events topic with the idempotent producer", async () => {
    const [result] = await producer.send({
      topic: Topics.inventoryEvents,
      messages: [{ key: `acl-it-${run}`, value: 'allowed' }],
    });
    assert.equal(result?.errorCode, 0);
  });

  test("inventory's principal may not write payment-events (TOPIC_AUTHORIZATION_FAILED)", async () => {
    const error = await failureOf(() =>
      producer.send({ topic: Topics.paymentEvents, messages: [{ key: `acl-it-${run}`, value: 'forged' }] }),
    );
    assert.ok(errorTypes(error).includes('TOPIC_AUTHORIZATION_FAILED'), String(error));
    assert.equal(
      describeKafkaAccessError(error, inventory, { operation: 'WRITE', topics: [Topics.paymentEvents] }),
      `Kafka ACL: principal 'inventory' may not WRITE topic '${Topics.paymentEvents}' (TOPIC_AUTHORIZATION_FAILED; ACLs: lib/kafka/acls.ts)`,
    );
  });

  test("inventory's principal may not read payment-commands, even in a group of its own", async () => {
    const admin: Admin = kafkaAs(inventory, `acl-it-inventory-admin-${run}`).admin();
    await admin.connect();
    try {
      // what a consumer does first: the topic's partitions and offsets
      const error = await failureOf(() => admin.fetchTopicOffsets(Topics.paymentCommands));
      assert.ok(errorTypes(error).includes('TOPIC_AUTHORIZATION_FAILED'), String(error));
      // its own commands topic it may read
      const own = await admin.fetchTopicOffsets(Topics.inventoryCommands);
      assert.ok(own.length > 0);
    } finally {
      await admin.disconnect();
    }
    const consumer = kafkaAs(inventory, `acl-it-inventory-consumer-${run}`).consumer({
      groupId: `inventory-acl-it-${run}`,
    });
    await consumer.connect();
    try {
      const error = await failureOf(async () => {
        await consumer.subscribe({ topics: [Topics.paymentCommands], fromBeginning: true });
        await consumer.run({ eachMessage: async () => undefined });
      });
      assert.ok(errorTypes(error).includes('TOPIC_AUTHORIZATION_FAILED'), String(error));
      assert.match(
        describeKafkaAccessError(error, inventory, { operation: 'READ', topics: [Topics.paymentCommands] }) ??
          '',
        /^Kafka ACL: principal 'inventory' may not READ topic '.*payment-commands'/,
      );
    } finally {
      await consumer.disconnect();
    }
  });

  test("a new prefix's ACLs hold as soon as ensureAcls returns, and applying them again creates none", async () => {
    const prefix = `acl-it-${run}.`;
    const topic = `${prefix}${baseTopics.inventoryEvents}`;
    const acls = serviceAcls(prefix);
    const topicAcls = serviceTopicAcls(prefix);
    await withKafkaAdmin(testKafkaConnection(), 'acl-it-admin', async (admin) => {
      await ensureTopics(admin, [topic], { numPartitions: 1, replicationFactor: 1 });
      // the group ACLs are shared with every other prefix, and may exist already
      assert.ok((await ensureAcls(admin, acls)) >= topicAcls.length);
    });
    const fresh = createIdempotentProducer(kafkaAs(inventory, `acl-it-fresh-${run}`));
    try {
      // InitProducerId, metadata and produce, right away: all need the ACLs applied by the broker
      await fresh.connect();
      const [result] = await fresh.send({ topic, messages: [{ key: run, value: 'right away' }] });
      assert.equal(result?.errorCode, 0);
    } finally {
      await fresh.disconnect();
      await withKafkaAdmin(testKafkaConnection(), 'acl-it-admin', async (admin) => {
        assert.equal(await ensureAcls(admin, acls), 0, 'idempotent');
        assert.equal(await removeAcls(admin, topicAcls), topicAcls.length);
        await admin.deleteTopics({ topics: [topic] });
      });
    }
  });

  test('a wrong password is refused, and the message names the user and the variables', async () => {
    const wrong = scram('inventory', `not-the-password-${run}`);
    const admin = kafkaAs(wrong, `acl-it-wrong-${run}`).admin();
    const error = await failureOf(() => admin.connect());
    await admin.disconnect();
    const message = describeKafkaAccessError(error, wrong) ?? String(error);
    assert.match(
      message,
      /^Kafka refused SASL authentication for user 'inventory' \(KAFKA_USERNAME\/KAFKA_PASSWORD/,
    );
  });

  test('a client without SASL is refused', async () => {
    const anonymous: KafkaSecurity = { sasl: null, tls: null };
    const admin = createKafka({
      brokers,
      security: anonymous,
      clientId: `acl-it-anonymous-${run}`,
      logger,
    }).admin();
    const error = await failureOf(async () => {
      await admin.connect();
      await admin.listTopics();
    });
    await admin.disconnect();
    assert.match(
      describeKafkaAccessError(error, anonymous) ?? String(error),
      /^Kafka closed the connection of a client without SASL credentials/,
    );
  });
});
