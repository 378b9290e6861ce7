/**
 * The single-buffer produce request encoder on the real broker: kafkajs's produce path takes it from
 * the module cache (how that works depends on Node's CommonJS loader, so this runs on every Node the
 * project supports), and what it writes comes back from the broker intact; a request it leaves to
 * kafkajs (compressed) does too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { CompressionTypes, type KafkaMessage } from 'kafkajs';
import { withKafkaAdmin } from '../../../lib/kafka/kafka-admin.ts';
import { createIdempotentProducer, createKafka } from '../../../lib/kafka/kafka-client.ts';
import type {
  ProduceRequest,
  ProduceRequestArgs,
} from '../../../lib/kafka/kafkajs-patches/produce-request-encoder.ts';
import { createLogger } from '../../../lib/logger.ts';
import { testKafkaConnection } from '../../support/kafka-harness.ts';
import { asSent, byKey, type SentMessage } from '../../support/sent-messages.ts';
import { waitFor } from '../../support/wait-for.ts';

const connection = testKafkaConnection();
const require = createRequire(import.meta.url);
const produceV3Path = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');

describe('single-buffer produce request encoder on the broker', () => {
  const run = randomUUID();
  const uncompressedTopics = [`produce-encoder-a-${run}`, `produce-encoder-b-${run}`] as const;
  const gzipTopic = `produce-encoder-gzip-${run}`;
  const topics = [...uncompressedTopics, gzipTopic];
  const kafka = createKafka({
    ...connection,
    clientId: 'produce-encoder-it',
    logger: createLogger('produce-encoder-it', 'warn'),
  });
  const producer = createIdempotentProducer(kafka);
  const consumer = kafka.consumer({ groupId: `produce-encoder-it-${run}` });
  const received = new Map<string, KafkaMessage[]>(topics.map((topic) => [topic, []]));
  /** Per produce request: whether its body came in one exactly sized buffer (the single-buffer encoder). */
  const bodies: boolean[] = [];
  const restore: Array<() => void> = [];

  before(async () => {
    // kafka-client.ts applied the encoder when it was imported; watch it from here on. kafkajs loads
    // the produce request v4–v7 modules (which take v3's export) on the first produce.
    const produceModule = require.cache[produceV3Path];
    assert.ok(produceModule, 'kafkajs produce request module loaded');
    const produce = produceModule.exports as (args: ProduceRequestArgs) => ProduceRequest;
    produceModule.exports = (args: ProduceRequestArgs) => {
      const request = produce(args);
      return {
        ...request,
        encode: async () => {
          const body = await request.encode();
          bodies.push(body.buf.length === body.offset);
          return body;
        },
      };
    };
    restore.push(() => {
      produceModule.exports = produce;
    });
    await withKafkaAdmin(connection, 'produce-encoder-it', (admin) =>
      admin.createTopics({
        topics: topics.map((topic) => ({ topic, numPartitions: 2 })),
        waitForLeaders: true,
      }),
    );
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.get(topic)?.push(message);
      },
    });
  });

  after(async () => {
    await producer.disconnect();
    await consumer.disconnect();
    await withKafkaAdmin(connection, 'produce-encoder-it', (admin) => admin.deleteTopics({ topics }));
    for (const undo of restore) undo();
  });

  const sentMessages = (): SentMessage[] => [
    {
      key: `order-${randomUUID()}`,
      value: Buffer.from([0, 0, 0, 0, 1, 2, 3]),
      headers: { 'message-id': randomUUID(), 'record-type': 'ReserveStock' },
    },
    {
      key: `order-é€-${randomUUID()}`,
      value: Buffer.from('text é€😀'),
      headers: { tags: ['a', 'b'], empty: '', 'é€': 'x'.repeat(100) },
    },
    { key: null, value: null, headers: {} },
  ];

  /** Every record on `topic`, once `count` have arrived, in key order. */
  const backOn = (topic: string, count: number) =>
    waitFor(`${count} records back on ${topic}`, () => {
      const back = received.get(topic) ?? [];
      return back.length >= count ? back.map(asSent).sort(byKey) : undefined;
    });

  test('one request over two topics and both partitions: one exactly sized body, every record back as sent', async () => {
    const [first, second] = uncompressedTopics;
    const sent = new Map([
      [first, sentMessages()],
      [second, sentMessages()],
    ]);
    bodies.length = 0;
    await producer.sendBatch({
      topicMessages: [...sent].map(([topic, messages]) => ({
        topic,
        messages: messages.map((message, i) => ({ ...message, partition: i % 2 })),
      })),
    });
    assert.deepEqual(bodies, [true], 'one produce request, its body from the single-buffer encoder');
    for (const [topic, messages] of sent) {
      assert.deepEqual(await backOn(topic, messages.length), [...messages].sort(byKey), topic);
    }
  });

  test('a compressed request: kafkajs encodes it, every record back as sent', async () => {
    const sent = sentMessages();
    bodies.length = 0;
    await producer.send({ topic: gzipTopic, compression: CompressionTypes.GZIP, messages: sent });
    assert.deepEqual(bodies, [false], 'one produce request, its body from kafkajs’s own encoder');
    assert.deepEqual(await backOn(gzipTopic, sent.length), [...sent].sort(byKey));
  });
});
