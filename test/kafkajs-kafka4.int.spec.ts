/**
 * Proves that kafkajs 2.2.4 works against the Kafka 4.x broker of the local stack: admin, idempotent
 * producer (acks=all), consumer group with manual commits, a transactional producer, and the KRaft
 * behaviour of subscribing to a topic that does not exist.
 *
 * Needs the stack: `npm run stack -- up` (KAFKA_BROKERS, default 127.0.0.1:9092).
 *   node --import tsx --test test/kafkajs-kafka4.int.spec.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { kafkajsSecurityOptions } from '../lib/kafka/kafka-security.ts';
import { testKafkaConnection } from './support/kafka-harness.ts';

const { brokers, security } = testKafkaConnection();
const kafka = new Kafka({
  clientId: 'kafkajs-kafka4-spec',
  brokers: [...brokers],
  ...kafkajsSecurityOptions(security),
  logLevel: logLevel.NOTHING,
  // a broker that just (re)started may still be loading __consumer_offsets: be patient
  retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
});
const run = randomUUID().slice(0, 8);
const topic = `compat-${run}`;
let admin: Admin;
const groups: string[] = []; // deleted after the run
const group = (name: string): string => {
  const id = `compat-${name}-${run}`;
  groups.push(id);
  return id;
};

before(async () => {
  admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Kafka not reachable at ${brokers.join(',')} (run: npm run stack -- up): ${String(err)}`);
  }
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
  });
  assert.equal(created, true);
});

after(async () => {
  await admin.deleteGroups(groups).catch(() => undefined);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('admin: broker is Kafka 4.x (KRaft) and metadata lists the new topic', async () => {
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(meta.topics[0]?.partitions.length, 3);
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: 4 /* BROKER */, name: String(cluster.brokers[0]?.nodeId), configNames: ['process.roles'] },
    ],
  });
  assert.match(String(configs.resources[0]?.configEntries[0]?.configValue), /broker/);
});

test('idempotent producer (acks=all) and a consumer group with manual commit of offset + 1', async () => {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const sent = Array.from({ length: 30 }, (_, i) => ({
    key: `order-${i % 5}`,
    value: JSON.stringify({ i }),
    headers: { 'message-id': randomUUID() },
  }));
  await producer.send({ topic, acks: -1, messages: sent });
  await producer.disconnect();

  const groupId = group('group');
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  let crashed: unknown;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: { key: string; i: number; partition: number; hasHeader: boolean }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed only ${got.length}/30 messages`)), 30_000);
    consumer.on(consumer.events.CRASH, (e) => {
      crashed = e.payload.error;
      clearTimeout(timer);
      reject(new Error(`consumer crashed: ${String(e.payload.error)}`));
    });
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: t, partition, message }) => {
        got.push({
          key: String(message.key),
          i: (JSON.parse(String(message.value)) as { i: number }).i,
          partition,
          hasHeader: message.headers?.['message-id'] !== undefined,
        });
        await consumer.commitOffsets([
          { topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
        if (got.length === sent.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  assert.equal(crashed, undefined);
  assert.equal(got.length, 30);
  assert.ok(got.every((m) => m.hasHeader));
  // one key → one partition, in order
  for (let k = 0; k < 5; k++) {
    const ofKey = got.filter((m) => m.key === `order-${k}`);
    assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1);
    assert.deepEqual(
      ofKey.map((m) => m.i),
      [...ofKey.map((m) => m.i)].sort((a, b) => a - b),
    );
  }
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, 30, 'committed offsets (offset + 1) add up to the message count');
  const described = await admin.describeGroups([groupId]);
  assert.equal(described.groups[0]?.state, 'Empty');
});

test('transactional producer: commit is visible to read_committed consumers, abort is not', async () => {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: `compat-tx-${run}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ key: 'tx', value: 'aborted' }] });
  await aborted.abort();
  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ key: 'tx', value: 'committed' }] });
  await committed.commit();
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: group('tx-group'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no committed tx message; saw ${values.length}`)),
      20_000,
    );
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (String(message.key) !== 'tx') return;
        values.push(String(message.value));
        if (values.includes('committed')) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  assert.deepEqual(values, ['committed']);
});

test('KRaft: subscribing to a topic that does not exist fails (auto-creation is off)', async () => {
  const consumer = kafka.consumer({ groupId: group('missing') });
  await consumer.connect();
  try {
    await assert.rejects(consumer.subscribe({ topic: `missing-${run}` }));
  } finally {
    await consumer.disconnect();
  }
  const topics = await admin.listTopics();
  assert.ok(!topics.includes(`missing-${run}`), 'the broker did not auto-create the topic');
});
