/**
 * The linear grouping in real processes against the broker: loaded first, kafkajs's producer uses it
 * and every message lands on the partition the key partitioner chooses; loaded after kafkajs, it
 * says it is not in place and kafkajs's own function still produces everything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KeyPartitioner } from '../../../lib/kafka/key-partitioner.ts';
import { type KafkaHarness, openKafkaHarness } from '../../support/kafka-harness.ts';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../../support/produce-batch-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function produceInChild(order: 'module-first' | 'kafkajs-first', topic: string, count: number) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, order, topic, String(count)], {
    cwd: repoRoot,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { installed: boolean; calls: number };
}

describe('linear grouping of produce batches', { timeout: 120_000 }, () => {
  let harness: KafkaHarness;
  const topic = `it-linear-group-${randomUUID()}`;
  const count = 600;

  before(async () => {
    harness = await openKafkaHarness('linear-group-it');
    await harness.admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  });
  after(async () => {
    await harness.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await harness.close();
  });

  const partitionCounts = async () =>
    Object.fromEntries(
      (await harness.admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]),
    );

  it('loaded first, it groups the batch, and each message lands where the key partitioner says', async () => {
    assert.deepEqual(await produceInChild('module-first', topic, count), { installed: true, calls: 1 });
    const partitioner = KeyPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      partitionErrorCode: 0,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    const expected: Record<number, number> = { 0: 0, 1: 0, 2: 0 };
    for (let i = 0; i < count; i++) {
      const partition = partitioner({ topic, partitionMetadata, message: { key: `key-${i}`, value: null } });
      expected[partition] = (expected[partition] ?? 0) + 1;
    }
    assert.deepEqual(await partitionCounts(), expected);
  });

  it('loaded after kafkajs, it says so, and kafkajs still produces the whole batch', async () => {
    const before = await partitionCounts();
    assert.deepEqual(await produceInChild('kafkajs-first', topic, count), { installed: false, calls: 0 });
    const afterCounts = await partitionCounts();
    for (const partition of [0, 1, 2]) {
      assert.equal(
        (afterCounts[partition] ?? 0) - (before[partition] ?? 0),
        before[partition],
        `partition ${partition}`,
      );
    }
  });
});
