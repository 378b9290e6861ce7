import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { crc32c } from '../../../lib/kafka/kafkajs-patches/crc32c.ts';
import { Prng } from '../../../lib/random/prng.ts';
import { bufferFrom } from '../../support/random-kafka-records.ts';

const kafkajsCrc32C: (buffer: Buffer) => number = createRequire(import.meta.url)(
  'kafkajs/src/protocol/recordBatch/crc32C/index.js',
);

describe('CRC-32C by slicing-by-8', () => {
  test('gives the check value of the CRC-32C catalogue and 0 for no bytes', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  test('equals kafkajs’s CRC-32C on 2,000 random buffers and ranges of them', () => {
    const random = new Prng(20261203);
    for (let i = 0; i < 2_000; i++) {
      // Short lengths cover the byte-at-a-time tail alone; long ones the eight-byte steps.
      const bytes = bufferFrom(random, i < 200 ? 20 : 3_000);
      assert.equal(crc32c(bytes), kafkajsCrc32C(bytes), `buffer ${i} of ${bytes.length} bytes`);
      const start = Math.floor(random.next() * bytes.length);
      const end = start + Math.floor(random.next() * (bytes.length - start + 1));
      assert.equal(crc32c(bytes, start, end), kafkajsCrc32C(bytes.subarray(start, end)), `range ${i}`);
    }
  });
});
