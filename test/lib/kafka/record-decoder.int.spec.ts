/**
 * The record decoder on the real broker: kafkajs's fetch path takes it from the module cache (how
 * that works depends on Node's CommonJS loader, so this runs on every Node the project supports),
 * and every record the broker returns — plain and gzip batches, this project's messages and odd
 * ones — decodes to what kafkajs's own decoder makes of the same bytes, and to what was sent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { CompressionTypes, type KafkaMessage } from 'kafkajs';
import { withKafkaAdmin } from '../../../lib/kafka/kafka-admin.ts';
import { createIdempotentProducer, createKafka } from '../../../lib/kafka/kafka-client.ts';
import {
  decodeRecordFast,
  fastRecordDecoder,
  type KafkajsDecoder,
  originalRecordDecoder,
  type RecordDecoder,
} from '../../../lib/kafka/kafkajs-patches/record-decoder.ts';
import { createLogger } from '../../../lib/logger.ts';
import { testKafkaConnection } from '../../support/kafka-harness.ts';
import { projectMessage } from '../../support/project-message.ts';
import { asSent, byKey, type SentMessage } from '../../support/sent-messages.ts';
import { waitFor } from '../../support/wait-for.ts';

const connection = testKafkaConnection();
const require = createRequire(import.meta.url);
const recordDecoderPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
const Decoder: new (buffer: Buffer) => KafkajsDecoder = require('kafkajs/src/protocol/decoder.js');

/** A decoder of its own over the same record, at the same position. */
const decoderAt = (buffer: Buffer, offset: number): KafkajsDecoder => {
  const decoder = new Decoder(buffer);
  decoder.offset = offset;
  return decoder;
};

describe('record decoder on the broker', () => {
  const run = randomUUID();
  const topic = `record-decoder-${run}`;
  const kafka = createKafka({
    ...connection,
    clientId: 'record-decoder-it',
    logger: createLogger('record-decoder-it', 'warn'),
  });
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({ groupId: `record-decoder-it-${run}` });
  const received: Array<{ partition: number; message: KafkaMessage }> = [];
  /** Per fetched record: whether the fast path read it, and whether kafkajs's decoder agreed. */
  const decoded: Array<{ fast: boolean; same: boolean }> = [];
  const restore: Array<() => void> = [];

  before(async () => {
    // kafka-client.ts applied the decoder when it was imported; kafkajs's record batch decoder takes
    // whatever the module exports on the first fetch, so this wrapper sees every fetched record.
    const decoderModule = require.cache[recordDecoderPath];
    assert.ok(decoderModule, 'kafkajs record decoder module loaded');
    assert.equal(decoderModule.exports, fastRecordDecoder(), 'the record decoder is installed');
    const kafkajs = originalRecordDecoder();
    assert.ok(kafkajs, 'kafkajs’s record decoder kept');
    const compared: RecordDecoder = (decoder, context = {}) => {
      const theirs = kafkajs(decoderAt(decoder.buffer, decoder.offset), context);
      const fast = decodeRecordFast(decoderAt(decoder.buffer, decoder.offset), context) !== null;
      const ours = fastRecordDecoder()(decoder, context);
      decoded.push({ fast, same: isDeepStrictEqual(ours, theirs) });
      return ours;
    };
    decoderModule.exports = compared;
    restore.push(() => {
      decoderModule.exports = fastRecordDecoder();
    });
    await withKafkaAdmin(connection, 'record-decoder-it', (admin) =>
      admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
    );
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ partition, message });
      },
    });
  });

  after(async () => {
    await producer.disconnect();
    await consumer.disconnect();
    await withKafkaAdmin(connection, 'record-decoder-it', (admin) => admin.deleteTopics({ topics: [topic] }));
    for (const undo of restore) undo();
  });

  const oddMessages = (): SentMessage[] => [
    {
      key: `é€-${randomUUID()}`,
      value: Buffer.from('text é€😀'),
      headers: { tags: ['a', 'b', 'c'], 'é€': '' },
    },
    { key: null, value: null, headers: {} },
  ];

  test('plain and gzip batches: every record decoded by the fast path, as kafkajs decodes it, back as sent', async () => {
    const plain = [...Array.from({ length: 40 }, () => projectMessage('StockReserved')), ...oddMessages()];
    const gzip = [...Array.from({ length: 10 }, () => projectMessage('StockReserved')), ...oddMessages()];
    await producer.send({ topic, messages: plain.map((m, i) => ({ ...m, partition: i % 2 })) });
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: gzip });
    const sent = [...plain, ...gzip];

    const back = await waitFor(`${sent.length} records back on ${topic}`, () =>
      received.length >= sent.length ? received.map((r) => asSent(r.message)) : undefined,
    );
    assert.deepEqual([...back].sort(byKey), [...sent].sort(byKey));
    assert.ok(decoded.length >= sent.length, `every record went through the decoder (${decoded.length})`);
    assert.deepEqual(
      decoded.filter((d) => !d.same),
      [],
      'the fast decoder and kafkajs’s agree on every record',
    );
    assert.deepEqual(
      decoded.filter((d) => !d.fast),
      [],
      'the fast path read every record',
    );
    for (const partition of [0, 1]) {
      const offsets = received.filter((r) => r.partition === partition).map((r) => r.message.offset);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => String(i)),
        `partition ${partition}: offsets 0, 1, 2, …`,
      );
    }
  });
});
