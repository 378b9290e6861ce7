import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import {
  measureRecord,
  type RecordToEncode,
  writeRecord,
} from '../../../lib/kafka/kafkajs-patches/record-encoder.ts';
import { Prng } from '../../../lib/random/prng.ts';
import { randomMessage } from '../../support/random-kafka-records.ts';

/** kafkajs's own record encoder (the module this project no longer replaces). */
const kafkajsRecordEncoder: (record: RecordToEncode & { offsetDelta: number; timestampDelta: number }) => {
  buffer: Buffer;
} = createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0/index.js');

/** What kafkajs writes for the message at `offsetDelta` of a batch stamped with the batch's own time. */
const kafkajsBytes = (record: RecordToEncode, offsetDelta: number): Buffer =>
  kafkajsRecordEncoder({ ...record, offsetDelta, timestampDelta: 0 }).buffer;

/** The record written by this module at an offset inside a larger buffer, as the produce encoder does. */
function written(record: RecordToEncode, offsetDelta: number): Buffer {
  const measured = measureRecord(record, offsetDelta);
  assert.ok(measured, 'a record this module handles');
  const buf = Buffer.alloc(measured.size + 10, 0xee);
  assert.equal(writeRecord(buf, 5, measured), 5 + measured.size);
  assert.deepEqual(
    [...buf.subarray(0, 5), ...buf.subarray(5 + measured.size)],
    Array(10).fill(0xee),
    'nothing written outside the record',
  );
  return buf.subarray(5, 5 + measured.size);
}

describe('record encoder', () => {
  test('writes the bytes kafkajs writes for 5,000 random messages at offsets up to 20,000 in their batch', () => {
    const random = new Prng(20261202);
    for (let i = 0; i < 5_000; i++) {
      const message = randomMessage(random);
      // Offset deltas from 1 to 3 varint bytes.
      const offsetDelta = Math.floor(random.next() * 20_000);
      assert.deepEqual(written(message, offsetDelta), kafkajsBytes(message, offsetDelta), `message ${i}`);
    }
  });

  test('writes the bytes kafkajs writes for a message of this project and for an empty record', () => {
    const message: RecordToEncode = {
      key: '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
      value: Buffer.from([0, 0, 0, 0, 7, 2, 4, 6]),
      headers: {
        'message-id': '5a7e1c2e-8a4c-4a55-8e2b-f1b8d2c7a9e0',
        'order-id': '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
        'record-type': 'ReserveStock',
      },
    };
    assert.deepEqual(written(message, 3), kafkajsBytes(message, 3));
    assert.deepEqual(written({}, 0), kafkajsBytes({}, 0));
  });

  test('measures as null what it leaves to kafkajs', () => {
    for (const record of [
      { key: 'k', value: 'v', headers: { a: null } },
      { key: 'k', value: 'v', headers: { a: 42 } },
      { key: 42, value: 'v' },
    ] as RecordToEncode[]) {
      assert.equal(measureRecord(record, 0), null, JSON.stringify(record));
    }
  });
});
