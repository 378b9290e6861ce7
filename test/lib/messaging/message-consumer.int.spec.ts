import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../lib/logger.ts';
import { createMessageConsumer, type MessageConsumer } from '../../../lib/messaging/message-consumer.ts';
import {
  createTopicWithDeadLetters,
  deleteTopicWithDeadLetters,
  firstMessageHeaders,
  type KafkaHarness,
  openKafkaHarness,
} from '../../support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

/** The shared consumer against a real broker, registry and database: how it survives kafkajs giving up. */
describe('message consumer (Kafka + PostgreSQL)', () => {
  let harness: KafkaHarness;
  let database: ThrowawayDatabase;
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const topic = `test-consumer-${runId}.inventory-commands`;

  before(async () => {
    harness = await openKafkaHarness('message-consumer-it');
    database = await createThrowawayDatabase({ poolMax: 5 });
    await createTopicWithDeadLetters(harness.admin, topic);
  });
  after(async () => {
    await deleteTopicWithDeadLetters(harness.admin, topic);
    await harness.close();
    await database.drop();
  });

  const sendReserveStock = async (orderId: string, messageId: string) => {
    const value = await harness.codec.encode('ReserveStock', {
      orderId,
      items: [{ sku: 'SKU-001', quantity: 1 }],
    });
    const headers = firstMessageHeaders('ReserveStock', orderId, messageId);
    await harness.producer.send({ topic, messages: [{ key: orderId, value, headers }] });
  };

  test('a crash kafkajs will not restart from (non-retriable error) → a fresh consumer, the message handled once', async () => {
    const handled: string[] = [];
    let attempts = 0;
    const consumer: MessageConsumer = createMessageConsumer({
      kafka: harness.kafka,
      groupId: `test-consumer-${runId}`,
      topics: [topic],
      decoder: harness.codec,
      units: database.units,
      inboxSchema: 'inventory',
      producer: harness.producer,
      logger: createLogger('message-consumer-it', 'silent'),
      // Only the crash path may bring it back: the out-of-group watchdog would take ten minutes.
      rejoinWatchdogMs: 600_000,
      handle: async (_unit, messages) => {
        handled.push(...messages.map((m) => m.meta.messageId));
      },
      beforeHandle: async () => {
        attempts++;
        // What kafkajs does with this is what it does with "Failed to find group coordinator"
        // during a broker restart: crash with restart=false, i.e. stop consuming for good.
        if (attempts === 1)
          throw Object.assign(new Error('injected non-retriable failure'), { retriable: false });
      },
    });
    await consumer.start();
    try {
      const messageId = randomUUID();
      await sendReserveStock(randomUUID(), messageId);
      await waitFor('the message handled by the recreated consumer', () =>
        handled.length > 0 ? true : undefined,
      );
      assert.equal(attempts, 2, 'the first attempt crashed kafkajs, the recreated consumer got it again');
      assert.deepEqual(handled, [messageId]);
      await waitFor('the recreated consumer to be ready', () => (consumer.ready ? true : undefined));

      // It keeps consuming afterwards, exactly once per message.
      const second = randomUUID();
      await sendReserveStock(randomUUID(), second);
      await waitFor('the next message handled', () => (handled.includes(second) ? true : undefined));
      assert.deepEqual(handled, [messageId, second]);
    } finally {
      await consumer.stop();
    }
  });
});
