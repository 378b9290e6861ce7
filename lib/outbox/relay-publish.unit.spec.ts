import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProducerBatch } from 'kafkajs';
import { pino } from 'pino';
import { CommittedRows } from './committed-rows.ts';
import type { OutboxRow } from './outbox-batch.ts';
import { recordBytesUpperBound } from './produce-chunks.ts';
import { createRowPublisher, topicMessagesOf } from './relay-publish.ts';

const row = (seq: number, topic: string, key = `k${seq % 3}`): OutboxRow => ({
  seq,
  topic,
  message_key: key,
  payload: Buffer.from([seq]),
  headers: { 'message-id': `m-${seq}` },
});
const seqsOf = (messages: readonly { headers?: unknown }[]) =>
  messages.map((m) => Number(String((m.headers as Record<string, string>)['message-id']).slice(2)));

/** A logger whose lines are kept, to see what the publisher logged. */
const recordingLogger = () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
};

describe('rows grouped into one produce request (pure)', () => {
  test('by topic, topics in the order of their first row, each topic keeping its rows in order', () => {
    const rows = [row(1, 'b'), row(2, 'a'), row(3, 'b'), row(4, 'c'), row(5, 'a'), row(6, 'b')];
    const grouped = topicMessagesOf(rows);
    assert.deepEqual(
      grouped.map((t) => [t.topic, seqsOf(t.messages)]),
      [
        ['b', [1, 3, 6]],
        ['a', [2, 5]],
        ['c', [4]],
      ],
    );
    const first = grouped[0]?.messages[0];
    assert.deepEqual(first, { key: 'k1', value: Buffer.from([1]), headers: { 'message-id': 'm-1' } });
  });
});

describe('the row publisher (a fake producer)', () => {
  test('one request per chunk, in order, each marked published once acknowledged', async () => {
    const rows = new CommittedRows();
    const requests: ProducerBatch[] = [];
    const publish = createRowPublisher({
      producer: {
        sendBatch: async (batch) => {
          // Nothing of this request is marked published before its acknowledgement.
          assert.equal(rows.awaitingDelete, requests.length * 2);
          requests.push(batch);
          return [];
        },
      },
      rows,
      // Two rows of topic t per request.
      maxTopicBytes: 61 + 2 * recordBytesUpperBound(row(0, 't')),
      describeAccessError: undefined,
      logger: recordingLogger().logger,
    });
    await publish([row(1, 't'), row(2, 't'), row(3, 't'), row(4, 't'), row(5, 't')]);
    assert.deepEqual(
      requests.map((r) => r.topicMessages?.flatMap((t) => seqsOf(t.messages))),
      [[1, 2], [3, 4], [5]],
    );
    assert.ok(
      requests.every((r) => r.acks === -1),
      'acks=all',
    );
    assert.deepEqual(rows.toDelete().sort(), [1, 2, 3, 4, 5]);
  });

  test('a refused request is rethrown, logged with the access problem, and its rows are not marked published', async () => {
    const rows = new CommittedRows();
    const { logger, lines } = recordingLogger();
    const refused = new Error('TOPIC_AUTHORIZATION_FAILED');
    const asked: Array<readonly string[]> = [];
    const publish = createRowPublisher({
      producer: {
        sendBatch: async () => {
          throw refused;
        },
      },
      rows,
      maxTopicBytes: 1 << 20,
      describeAccessError: (error, topics) => {
        asked.push(topics);
        return error === refused ? 'kafka-orders may not write to a, b' : null;
      },
      logger,
    });
    await assert.rejects(publish([row(1, 'a'), row(2, 'b')]), refused);
    assert.deepEqual(asked, [['a', 'b']]);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [[50, 'kafka-orders may not write to a, b']],
    );
    assert.equal(rows.awaitingDelete, 0);
  });

  test('any other failure is rethrown without a line of its own (the relay logs it with its retry)', async () => {
    const { logger, lines } = recordingLogger();
    const failure = new Error('broker down');
    const publish = createRowPublisher({
      producer: {
        sendBatch: async () => {
          throw failure;
        },
      },
      rows: new CommittedRows(),
      maxTopicBytes: 1 << 20,
      describeAccessError: () => null,
      logger,
    });
    await assert.rejects(publish([row(1, 'a')]), failure);
    assert.deepEqual(lines, []);
  });
});
