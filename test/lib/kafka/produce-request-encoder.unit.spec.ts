import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, mock, test } from 'node:test';
import { applyKafkajsPatches } from '../../../lib/kafka/kafkajs-patches/index.ts';
import {
  encodeProduceRequestBody,
  originalProduceRequest,
  type ProduceRequest,
  type ProduceRequestArgs,
} from '../../../lib/kafka/kafkajs-patches/produce-request-encoder.ts';
import { Prng } from '../../../lib/random/prng.ts';
import { randomMessage } from '../../support/random-kafka-records.ts';

applyKafkajsPatches();
const require = createRequire(import.meta.url);
const Long: { fromValue(value: unknown): unknown } = require('kafkajs/src/utils/long.js');
const frameRequest: (args: {
  correlationId: number;
  clientId: string;
  request: ProduceRequest;
}) => Promise<{ buffer: Buffer }> = require('kafkajs/src/protocol/request.js');
const GZIP = 1;
/** kafkajs's produce request module as installed: the single-buffer encoder's request. */
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (
  args: ProduceRequestArgs,
) => ProduceRequest;

function kafkajsRequest(): (args: ProduceRequestArgs) => ProduceRequest {
  const original = originalProduceRequest();
  assert.ok(original, 'applyKafkajsPatches() kept kafkajs’s produce request');
  return original;
}

/** The bytes on the wire for `request`, with `Date.now()` pinned (kafkajs stamps batches with it). */
async function wireBytes(request: ProduceRequest, nowMs: number): Promise<Buffer> {
  const now = mock.method(Date, 'now', () => nowMs);
  try {
    return (await frameRequest({ correlationId: 7, clientId: 'produce-it', request })).buffer;
  } finally {
    now.mock.restore();
  }
}

/** The bytes, or the error's name and message when encoding throws. */
async function outcome(request: ProduceRequest, nowMs: number): Promise<Buffer | { error: string }> {
  try {
    return await wireBytes(request, nowMs);
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function randomArgs(random: Prng): ProduceRequestArgs {
  const topicCount = 1 + Math.floor(random.next() * 3);
  return {
    acks: random.next() < 0.5 ? -1 : 1,
    timeout: Math.floor(random.next() * 60_000),
    producerId: Long.fromValue(Math.floor(random.next() * 2 ** 40)),
    producerEpoch: Math.floor(random.next() * 100),
    topicData: Array.from({ length: topicCount }, (_, t) => ({
      topic: `topic-${t}-é${'x'.repeat(Math.floor(random.next() * 30))}`,
      partitions: Array.from({ length: 1 + Math.floor(random.next() * 3) }, (_, p) => ({
        partition: p * 2 + t,
        firstSequence: Math.floor(random.next() * 100_000),
        messages: Array.from({ length: 1 + Math.floor(random.next() * 40) }, () => randomMessage(random)),
      })),
    })),
  };
}

describe('single-buffer produce request body', () => {
  test('puts the bytes kafkajs puts on the wire for 300 random requests, in one exactly sized buffer', async () => {
    const random = new Prng(20261203);
    const nowMs = Date.UTC(2026, 11, 3, 22, 0, 0);
    for (let i = 0; i < 300; i++) {
      const args = randomArgs(random);
      const body = encodeProduceRequestBody(args, nowMs);
      assert.ok(body, `request ${i} was left to kafkajs`);
      assert.equal(body.buf.length, body.offset, `request ${i}: body buffer exactly sized`);
      const ours = await wireBytes(produceV3(args), nowMs);
      assert.deepEqual(ours, await wireBytes(kafkajsRequest()(args), nowMs), `request ${i}`);
    }
  });

  test('a producer without an id writes kafkajs’s defaults (producer id -1, epoch 0, first sequence 0)', async () => {
    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }],
    };
    const nowMs = 1_700_000_000_000;
    const body = encodeProduceRequestBody(args, nowMs);
    assert.ok(body);
    assert.deepEqual(await wireBytes(produceV3(args), nowMs), await wireBytes(kafkajsRequest()(args), nowMs));
  });

  test('leaves to kafkajs what it does not handle: the same bytes, or the same error', async () => {
    const message = { key: 'k', value: Buffer.from([1, 2, 3]), headers: { a: 'b' } };
    const base = (messages: ProduceRequestArgs['topicData'][number]['partitions'][number]['messages']) => ({
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromValue(42),
      producerEpoch: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 3, messages }] }],
    });
    const cases: Record<string, ProduceRequestArgs> = {
      'a transactional id': { ...base([message]), transactionalId: 'tx-1' },
      compression: { ...base([message]), compression: GZIP },
      'a message with its own timestamp': base([message, { ...message, timestamp: '1700000000123' }]),
      'an empty partition': base([]),
      'a header value that is not a string or Buffer': base([{ ...message, headers: { n: 42 } }]),
    };
    const nowMs = 1_700_000_000_000;
    for (const [name, args] of Object.entries(cases)) {
      assert.equal(encodeProduceRequestBody(args, nowMs), null, name);
      assert.deepEqual(
        await outcome(produceV3(args), nowMs),
        await outcome(kafkajsRequest()(args), nowMs),
        name,
      );
    }
  });

  test('kafkajs’s produce requests v3–v7 use it once the patches are applied', async () => {
    const args: ProduceRequestArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }],
    };
    for (const version of [3, 4, 5, 6, 7]) {
      const factory = require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as (
        a: ProduceRequestArgs,
      ) => ProduceRequest;
      const request = factory(args);
      assert.equal(request.apiVersion, version);
      const body = await request.encode();
      // kafkajs's own encoder grows its buffer by powers of two; this one allocates the exact size.
      assert.equal(body.buf.length, body.offset, `v${version} body written by the single-buffer encoder`);
    }
  });
});
