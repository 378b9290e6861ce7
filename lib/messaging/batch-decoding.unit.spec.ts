import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import type { TypedRecord } from '../contracts/generated.ts';
import { decodeBatch, type PartitionBatch } from './batch-decoding.ts';
import type { DeadLetter } from './dead-letter.ts';
import { HeaderNames, type MessageMeta, toHeaders } from './headers.ts';
import type { RecordDecoder } from './incoming-message.ts';

const meta = (n: number): MessageMeta => ({
  messageId: `01a23a1c-be87-70af-8f6c-0f52c13c2d1${n}`,
  orderId: '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
  correlationId: '5a7e1c2e-8a4c-4a55-8e2b-f1b8d2c7a9e0',
  causationId: null,
  recordType: 'ReserveStock',
  occurredAt: '2026-12-03T04:00:00.000Z',
});

/** Values are the record's type as text; `garbage` is undecodable, `outage` is the registry down. */
const decoder: RecordDecoder = {
  async decode(buffer) {
    const text = buffer.toString();
    if (text === 'garbage') throw new Error('unknown magic byte');
    if (text === 'outage') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return { type: text, payload: {} } as unknown as TypedRecord;
  },
};

const message = (
  offset: number,
  value: string | null,
  headers = toHeaders(meta(offset)),
  key: Buffer | null = Buffer.from(meta(offset).orderId),
): KafkaMessage => ({
  key,
  value: value === null ? null : Buffer.from(value),
  timestamp: '0',
  attributes: 0,
  offset: String(offset),
  headers,
});

const batchOf = (...messages: KafkaMessage[]): PartitionBatch => ({
  topic: 'inventory-commands',
  partition: 2,
  messages,
});

describe('decoding a partition batch', () => {
  test('messages become typed messages in order, with their place on the topic and their headers', async () => {
    const letters: DeadLetter[] = [];
    const decoded = await decodeBatch(
      decoder,
      batchOf(message(1, 'ReserveStock'), message(2, 'ReserveStock')),
      letters,
    );
    assert.deepEqual(letters, []);
    assert.deepEqual(
      decoded.map((m) => [m.topic, m.partition, m.offset, m.meta.messageId, m.record.type]),
      [
        ['inventory-commands', 2, '1', meta(1).messageId, 'ReserveStock'],
        ['inventory-commands', 2, '2', meta(2).messageId, 'ReserveStock'],
      ],
    );
  });

  test('each bad message becomes a dead letter with its reason; the good ones around it are kept', async () => {
    const { [HeaderNames.messageId]: _dropped, ...withoutId } = toHeaders(meta(1));
    const batch = batchOf(
      message(1, 'ReserveStock', withoutId),
      message(2, null),
      message(3, 'garbage'),
      message(4, 'ReleaseStock'),
      message(5, 'ReserveStock'),
      message(6, 'ReserveStock', undefined, Buffer.from('another-order')),
      message(7, 'ReserveStock', undefined, null),
      message(8, 'ReserveStock', undefined, Buffer.from(meta(8).orderId.toUpperCase())),
    );
    const letters: DeadLetter[] = [];
    const decoded = await decodeBatch(decoder, batch, letters);
    assert.deepEqual(
      decoded.map((m) => m.offset),
      ['5'],
    );
    assert.deepEqual(
      letters.map((l) => [l.topic, l.partition, l.message.offset, l.reason]),
      [
        ['inventory-commands', 2, '1', 'missing_header'],
        ['inventory-commands', 2, '2', 'undecodable'],
        ['inventory-commands', 2, '3', 'undecodable'],
        ['inventory-commands', 2, '4', 'undecodable'],
        ['inventory-commands', 2, '6', 'invalid_key'],
        ['inventory-commands', 2, '7', 'invalid_key'],
        ['inventory-commands', 2, '8', 'invalid_key'],
      ],
    );
    assert.match(
      String(letters[4]?.error),
      /KeyMismatchError: message key \(13 bytes\) is not the 'order-id' header/,
    );
    assert.match(String(letters[5]?.error), /message has no key/);
    assert.match(
      String(letters[3]?.error),
      /record-type header says ReserveStock but the payload is ReleaseStock/,
    );
    assert.equal(letters[2]?.message, batch.messages[2], 'the original message, bytes and headers');
  });

  test('an outage while decoding is thrown, never dead-lettered', async () => {
    const letters: DeadLetter[] = [];
    await assert.rejects(
      decodeBatch(decoder, batchOf(message(1, 'ReserveStock'), message(2, 'outage')), letters),
      /ECONNREFUSED/,
    );
  });
});
