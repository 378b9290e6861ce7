import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message, ProducerBatch, RecordMetadata } from 'kafkajs';
import {
  completeSendBatch,
  IncompleteSendError,
  maxResends,
  type PartitionsGiven,
  recordingPartitioner,
} from './complete-send-batch.ts';
import { KeyPartitioner } from './key-partitioner.ts';

const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({
  partitionId,
  leader: 1,
  partitionErrorCode: 0,
  replicas: [1],
  isr: [1],
}));
const ack = (topicName: string, partition: number): RecordMetadata => ({
  topicName,
  partition,
  errorCode: 0,
});

/**
 * A stand-in for kafkajs's sendBatch: partitions each message with the recording partitioner, then
 * acknowledges every partition but those it `drops` on a call (what kafkajs 2.2.4 does when a moved
 * partition's new leader had answered an earlier attempt), and records what each call carried.
 */
function fakeSend(given: PartitionsGiven, drops: ReadonlyArray<ReadonlySet<string>>) {
  const partitioner = recordingPartitioner(KeyPartitioner, given)();
  const calls: Array<Array<{ topic: string; keys: string[] }>> = [];
  const sendBatch = async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
    const dropped = drops[calls.length] ?? new Set<string>();
    calls.push(
      (batch.topicMessages ?? []).map((t) => ({
        topic: t.topic,
        keys: t.messages.map((m) => String(m.key)),
      })),
    );
    const partitions = new Set<string>();
    for (const { topic, messages } of batch.topicMessages ?? [])
      for (const message of messages)
        partitions.add(`${topic}[${partitioner({ topic, partitionMetadata, message })}]`);
    return [...partitions]
      .filter((p) => !dropped.has(p))
      .map((p) => {
        const [, topic, partition] = /^(.*)\[(\d+)\]$/.exec(p) ?? [];
        return ack(String(topic), Number(partition));
      });
  };
  return { sendBatch, calls };
}

const messages = (n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({ key: `order-${i}`, value: 'v' }));

describe('completeSendBatch: a send resolves only once every partition was acknowledged', () => {
  test('all acknowledged at once: one send, every acknowledgement returned', async () => {
    const given: PartitionsGiven = new WeakMap();
    const fake = fakeSend(given, []);
    const resends: string[][] = [];
    const send = completeSendBatch(fake.sendBatch, given, (p) => resends.push([...p]));
    const acked = await send({ acks: -1, topicMessages: [{ topic: 'a', messages: messages(40) }] });
    assert.equal(fake.calls.length, 1);
    assert.equal(acked.length, 6, 'forty keys over six partitions');
    assert.deepEqual(resends, []);
  });

  test("a partition left out (kafkajs's skipped retry): only its messages are sent again, then it resolves", async () => {
    const given: PartitionsGiven = new WeakMap();
    const fake = fakeSend(given, [new Set(['b[2]'])]);
    const resends: string[][] = [];
    const send = completeSendBatch(fake.sendBatch, given, (p) => resends.push([...p]));
    const sent = messages(40);
    await send({
      acks: -1,
      topicMessages: [
        { topic: 'a', messages: messages(10) },
        { topic: 'b', messages: sent },
      ],
    });
    assert.equal(fake.calls.length, 2);
    const again = fake.calls[1] ?? [];
    assert.deepEqual(
      again.map((t) => t.topic),
      ['b'],
    );
    const onTwo = sent.filter((m) => given.get(m) === 2).map((m) => String(m.key));
    assert.ok(onTwo.length > 0);
    assert.deepEqual(again[0]?.keys, onTwo, "exactly partition 2's messages, in their order");
    assert.deepEqual(resends, [['b[2]']]);
  });

  test('a partition never acknowledged: IncompleteSendError naming it, after the last resend', async () => {
    const given: PartitionsGiven = new WeakMap();
    const always = Array.from({ length: maxResends + 2 }, () => new Set(['a[1]']));
    const fake = fakeSend(given, always);
    const send = completeSendBatch(fake.sendBatch, given, () => {});
    await assert.rejects(
      send({ acks: -1, topicMessages: [{ topic: 'a', messages: messages(40) }] }),
      (error: unknown) => error instanceof IncompleteSendError && error.missing.join() === 'a[1]',
    );
    assert.equal(fake.calls.length, maxResends + 1);
  });
});
