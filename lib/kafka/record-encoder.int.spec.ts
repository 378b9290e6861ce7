/**
 * The single-buffer record encoder on the real broker: kafkajs's produce path takes it from the
 * module cache (how that works depends on Node's CommonJS loader, so this runs on every Node the
 * project supports), and what it writes comes back from the broker intact.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { waitFor } from '../../test/support/wait-for.ts';
import { createLogger } from '../logger.ts';
import { withKafkaAdmin } from './kafka-admin.ts';
import { createIdempotentProducer, createKafka } from './kafka-client.ts';
import { encodeRecord, type RecordToEncode } from './record-encoder.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const require = createRequire(import.meta.url);
const recordModule = require.cache[require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js')];

describe('single-buffer record encoder on the broker', () => {
  const topic = `record-encoder-${randomUUID()}`;
  const kafka = createKafka({
    brokers,
    clientId: 'record-encoder-it',
    logger: createLogger('record-encoder-it', 'warn'),
  });
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({ groupId: `record-encoder-it-${randomUUID()}` });
  const encoded: RecordToEncode[] = [];
  let installed: unknown;

  before(async () => {
    // kafka-client.ts applied the encoder when it was imported; count its calls from here on.
    assert.ok(recordModule, 'kafkajs record module loaded');
    installed = recordModule.exports;
    assert.equal(installed, encodeRecord, 'importing kafka-client.ts installed the single-buffer encoder');
    const encode = installed as (record: RecordToEncode) => unknown;
    recordModule.exports = (record: RecordToEncode) => {
      encoded.push(record);
      return encode(record);
    };
    await withKafkaAdmin(brokers, 'record-encoder-it', (admin) =>
      admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }),
    );
    await producer.connect();
    await consumer.connect();
  });

  after(async () => {
    await producer.disconnect();
    await consumer.disconnect();
    await withKafkaAdmin(brokers, 'record-encoder-it', (admin) => admin.deleteTopics({ topics: [topic] }));
    if (recordModule) recordModule.exports = installed;
  });

  test('every produced record goes through it and comes back as sent', async () => {
    const messages = [
      {
        key: 'order-1',
        value: Buffer.from([0, 0, 0, 0, 1, 2, 3]),
        headers: { 'message-id': randomUUID(), 'record-type': 'ReserveStock' },
      },
      { key: 'order-2', value: 'text é€', headers: { tags: ['a', 'b'], empty: '' } },
      { key: null, value: null, headers: {} },
    ];
    await producer.send({ topic, messages });
    assert.equal(
      encoded.length,
      messages.length,
      'the produce request encoded every record with the installed encoder',
    );

    const received: KafkaMessage[] = [];
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message);
      },
    });
    await waitFor('the three records back', () => (received.length >= messages.length ? true : undefined));
    assert.deepEqual(
      received.map((m) => ({
        key: m.key?.toString() ?? null,
        value: m.value ?? null,
        headers: Object.fromEntries(
          Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
        ),
      })),
      [
        { key: 'order-1', value: messages[0]?.value, headers: messages[0]?.headers },
        { key: 'order-2', value: Buffer.from('text é€'), headers: { tags: ['a', 'b'], empty: '' } },
        { key: null, value: null, headers: {} },
      ],
    );
  });
});
