import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkByTopicBytes, recordBytesUpperBound } from './produce-chunks.ts';

const row = (seq: number, topic: string, payloadBytes: number) => ({
  seq,
  topic,
  message_key: `key-${seq % 7}`,
  payload: Buffer.alloc(payloadBytes, seq),
  headers: { 'message-id': `m-${seq}`, 'record-type': 'OrderStatusChanged' },
});

test('a record bound counts key, payload, header names and values (UTF-8 bytes) and their framing', () => {
  const bytes = recordBytesUpperBound({
    message_key: 'é',
    payload: Buffer.alloc(100),
    headers: { a: 'ü', bc: 'x' },
  });
  assert.equal(bytes, 32 + 2 + 100 + (10 + 1 + 2) + (10 + 2 + 1));
});

test('rows that fit stay in one chunk, whatever their total across topics', () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i, `t${i % 4}`, 100));
  const topicBytes = (topic: string) =>
    rows.filter((r) => r.topic === topic).reduce((sum, r) => sum + recordBytesUpperBound(r), 61);
  const largestTopic = Math.max(...['t0', 't1', 't2', 't3'].map(topicBytes));
  assert.deepEqual(chunkByTopicBytes(rows, largestTopic), [rows]);
  assert.equal(chunkByTopicBytes(rows, largestTopic - 1).length, 2);
});

test('a topic over the limit starts a new chunk; order is kept and every row is in exactly one chunk', () => {
  const rows = Array.from({ length: 500 }, (_, i) =>
    row(i, i % 5 === 0 ? 'small' : 'big', 50 + ((i * 37) % 400)),
  );
  const max = 4_000;
  const chunks = chunkByTopicBytes(rows, max);
  assert.ok(chunks.length > 1);
  assert.deepEqual(
    chunks.flat().map((r) => r.seq),
    rows.map((r) => r.seq),
  );
  for (const chunk of chunks) {
    const byTopic = new Map<string, number>();
    for (const r of chunk) byTopic.set(r.topic, (byTopic.get(r.topic) ?? 61) + recordBytesUpperBound(r));
    for (const [topic, bytes] of byTopic) assert.ok(bytes <= max, `${topic}: ${bytes} > ${max}`);
  }
  // Each chunk is as large as it can be: its successor's first row would have pushed its topic over.
  for (let i = 0; i + 1 < chunks.length; i++) {
    const next = chunks[i + 1]?.[0];
    assert.ok(next);
    const used = (chunks[i] ?? []).filter((r) => r.topic === next.topic);
    const bytes = used.reduce((sum, r) => sum + recordBytesUpperBound(r), 61);
    assert.ok(used.length > 0 && bytes + recordBytesUpperBound(next) > max);
  }
});

test('a row larger than the limit gets a chunk of its own; nothing is dropped', () => {
  const rows = [row(1, 't', 10), row(2, 't', 5_000), row(3, 't', 10)];
  assert.deepEqual(
    chunkByTopicBytes(rows, 1_000).map((chunk) => chunk.map((r) => r.seq)),
    [[1], [2], [3]],
  );
  assert.deepEqual(chunkByTopicBytes([], 1_000), []);
});
