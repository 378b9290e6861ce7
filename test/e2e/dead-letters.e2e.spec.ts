import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { frame } from '../../lib/avro/confluent-framing.ts';
import { deadLetterTopicOf, Topics } from '../../lib/kafka/topics.ts';
import {
  firstMessageHeaders,
  type KafkaHarness,
  openKafkaHarness,
  recordTopic,
} from '../support/kafka-harness.ts';
import { type Samples, scrape } from '../support/prometheus-text.ts';
import { urls } from '../support/system-under-test.ts';
import { waitFor } from '../support/wait-for.ts';

/** Poison messages go to `<topic>-dlt` with the reason and their origin; the consumer keeps going. */
describe('dead-letter topics', () => {
  let harness: KafkaHarness;
  before(async () => {
    harness = await openKafkaHarness('e2e-dead-letters');
  });
  after(() => harness.close());

  test('undecodable commands are dead-lettered and the next good command on the partition is still handled', async () => {
    const orderId = randomUUID();
    const headersFor = (messageId: string) => firstMessageHeaders('ReserveStock', orderId, messageId);
    const garbageId = randomUUID();
    const unknownSchemaId = randomUUID();
    const notAnIdId = randomUUID();
    const goodId = randomUUID();
    const [inventoryBefore, orchestratorBefore] = await Promise.all([
      scrape(urls.inventory),
      scrape(urls.orchestrator),
    ]);
    const good = await harness.codec.encode('ReserveStock', {
      orderId,
      items: [{ sku: 'SKU-008', quantity: 1 }],
    });
    // Same key, so the three land on one partition in this order.
    const sent = await harness.producer.send({
      topic: Topics.inventoryCommands,
      messages: [
        { key: orderId, value: Buffer.from('this is not avro'), headers: headersFor(garbageId) },
        { key: orderId, value: frame(987_654, Buffer.from([2, 4, 6])), headers: headersFor(unknownSchemaId) },
        // A good record whose correlation id is not a UUID (the id columns are uuid).
        { key: orderId, value: good, headers: { ...headersFor(notAnIdId), 'correlation-id': 'not-a-uuid' } },
        { key: orderId, value: good, headers: headersFor(goodId) },
      ],
    });
    const base = BigInt(sent[0]?.baseOffset ?? '0');
    const deadLetters = (reason: string, topic = Topics.inventoryCommands) => ({ topic, reason });

    const dlt = await recordTopic(harness.kafka, deadLetterTopicOf(Topics.inventoryCommands));
    const replies = await recordTopic(harness.kafka, Topics.inventoryEvents);
    const replyDlt = await recordTopic(harness.kafka, deadLetterTopicOf(Topics.inventoryEvents));
    try {
      const letters = await waitFor('the three poison messages in the DLT', () => {
        const found = dlt.messages.filter((m) => m.key === orderId);
        return found.length >= 3 ? found : undefined;
      });
      const byId = new Map(letters.map((m) => [m.headers['message-id'], m]));
      const garbage = byId.get(garbageId);
      const unknown = byId.get(unknownSchemaId);
      assert.ok(garbage && unknown);
      assert.equal(garbage.headers['dlt-reason'], 'undecodable');
      assert.match(garbage.headers['dlt-error'] ?? '', /AvroDecodeError/);
      assert.equal(garbage.headers['dlt-source-topic'], Topics.inventoryCommands);
      assert.equal(garbage.headers['dlt-source-offset'], String(base));
      assert.equal(garbage.headers['dlt-source-partition'], String(sent[0]?.partition));
      assert.equal(garbage.value?.toString(), 'this is not avro', 'the original bytes are kept');
      assert.equal(unknown.headers['dlt-reason'], 'undecodable');
      assert.match(unknown.headers['dlt-error'] ?? '', /987654/);
      assert.equal(unknown.headers['dlt-source-offset'], String(base + 1n));
      const notAnId = byId.get(notAnIdId);
      assert.ok(notAnId);
      assert.equal(notAnId.headers['dlt-reason'], 'missing_header');
      assert.match(notAnId.headers['dlt-error'] ?? '', /no valid 'correlation-id' header/);
      assert.equal(notAnId.headers['dlt-source-offset'], String(base + 2n));

      const reply = await waitFor('the reply to the good command', () =>
        replies.messages.find((m) => m.headers['causation-id'] === goodId),
      );
      assert.equal(reply.headers['record-type'], 'StockReserved');

      // The orchestrator has no saga for this order: its handler keeps failing, so that reply is
      // dead-lettered too (reason handler_failed), and nothing is lost or retried forever.
      const orphan = await waitFor('the orphan reply in the orchestrator-side DLT', () =>
        replyDlt.messages.find((m) => m.headers['message-id'] === reply.headers['message-id']),
      );
      assert.equal(orphan.headers['dlt-reason'], 'handler_failed');
      assert.match(orphan.headers['dlt-error'] ?? '', /no saga for order/);

      // dead_letters_total{topic,reason}: each service counts the letters it published.
      const moved = (before: Samples, after: Samples, labels: Record<string, string>) =>
        after.value('dead_letters_total', labels) - before.value('dead_letters_total', labels);
      const orphanLetter = deadLetters('handler_failed', Topics.inventoryEvents);
      // Counted once the broker acknowledged the letter: a moment after the DLT consumer may see it.
      const [inventory, orchestrator] = await waitFor('the dead letters counted', async () => {
        const now = await Promise.all([scrape(urls.inventory), scrape(urls.orchestrator)]);
        return moved(orchestratorBefore, now[1], orphanLetter) > 0 ? now : undefined;
      });
      assert.equal(moved(inventoryBefore, inventory, deadLetters('undecodable')), 2);
      assert.equal(moved(inventoryBefore, inventory, deadLetters('missing_header')), 1);
      assert.equal(moved(orchestratorBefore, orchestrator, orphanLetter), 1);
    } finally {
      await Promise.all([dlt.stop(), replies.stop(), replyDlt.stop()]);
    }
  });
});
