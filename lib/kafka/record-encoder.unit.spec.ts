import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { Prng } from '../../chaos/prng.ts';
import { randomRecord } from '../../test/support/random-kafka-records.ts';
import { measureRecord, type RecordToEncode, writeRecord } from './record-encoder.ts';

/** kafkajs's own record encoder (the module this project no longer replaces). */
const kafkajsEncodeRecord: (record: RecordToEncode) => { buffer: Buffer } = createRequire(import.meta.url)(
  'kafkajs/src/protocol/recordBatch/record/v0/index.js',
);

/** The record written by this module at an offset inside a larger buffer, as the produce encoder does. */
function written(record: RecordToEncode): Buffer {
  const measured = measureRecord(record);
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
  test('writes the bytes kafkajs writes for 5,000 random records', () => {
    const random = new Prng(20261202);
    for (let i = 0; i < 5_000; i++) {
      const record = randomRecord(random);
      assert.deepEqual(written(record), kafkajsEncodeRecord(record).buffer, `record ${i}`);
    }
  });

  test('writes the bytes kafkajs writes for a message of this project and for an empty record', () => {
    const message: RecordToEncode = {
      offsetDelta: 3,
      timestampDelta: 0,
      key: '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
      value: Buffer.from([0, 0, 0, 0, 7, 2, 4, 6]),
      headers: {
        'message-id': '5a7e1c2e-8a4c-4a55-8e2b-f1b8d2c7a9e0',
        'order-id': '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
        'record-type': 'ReserveStock',
      },
    };
    assert.deepEqual(written(message), kafkajsEncodeRecord(message).buffer);
    assert.deepEqual(written({}), kafkajsEncodeRecord({}).buffer);
  });

  test('measures as null what it leaves to kafkajs', () => {
    for (const record of [
      { key: 'k', value: 'v', headers: { a: null } },
      { key: 'k', value: 'v', headers: { a: 42 } },
      { key: 42, value: 'v' },
      { key: 'k', value: 'v', timestampDelta: 1.5 },
      { key: 'k', value: 'v', offsetDelta: 0.5 },
    ] as RecordToEncode[]) {
      assert.equal(measureRecord(record), null, JSON.stringify(record));
    }
  });
});
