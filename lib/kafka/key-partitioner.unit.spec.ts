import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { type PartitionerArgs, Partitioners } from 'kafkajs';
import { KeyPartitioner, murmur2 } from './key-partitioner.ts';

// kafkajs's own murmur2 (the one its DefaultPartitioner uses) is the reference.
const kafkajsMurmur2 = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/murmur2',
) as (key: Buffer | string) => number;

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
function bytesFrom(seed: number, length: number): Buffer {
  let x = seed | 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const partitions = (n: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));

describe('key partitioner', () => {
  test("murmur2 gives the Java client's values (Kafka's UtilsTest vectors)", () => {
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of vectors) assert.equal(murmur2(Buffer.from(key)), expected, key);
  });

  test("murmur2 equals kafkajs's for every length 0–80 and high bytes", () => {
    for (let seed = 1; seed <= 4_000; seed++) {
      const key = bytesFrom(seed, seed % 81);
      assert.equal(murmur2(key), kafkajsMurmur2(key), `key ${key.toString('hex')}`);
    }
  });

  test("a keyed message lands on kafkajs's DefaultPartitioner's partition", () => {
    const ours = KeyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 2, 3, 6, 7, 12, 100]) {
      for (let i = 0; i < 300; i++) {
        const key = i % 2 === 0 ? `order-${i}-${count}` : bytesFrom(i + count, 36);
        const args = { topic: 't', partitionMetadata: partitions(count), message: { key, value: null } };
        assert.equal(ours(args), theirs(args), `key ${String(key)} over ${count} partitions`);
      }
    }
  });

  test('an explicit partition wins; a message without a key goes to an available partition', () => {
    const partition = KeyPartitioner();
    const metadata = partitions(3);
    assert.equal(
      partition({
        topic: 't',
        partitionMetadata: metadata,
        message: { key: 'k', value: null, partition: 2 },
      }),
      2,
    );
    const chosen = partition({
      topic: 't',
      partitionMetadata: metadata,
      message: { key: null, value: null },
    });
    assert.ok([0, 1, 2].includes(chosen), `partition ${chosen}`);
  });
});
