import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { Prng } from '../../chaos/prng.ts';
import { applyKafkajsPatches } from './kafkajs-patches.ts';
import { encodeRecord, kafkajsEncodeRecord, type RecordToEncode } from './record-encoder.ts';

const bytesOf = (record: RecordToEncode, encode: typeof encodeRecord): Buffer => encode(record).buffer;

/** Strings with multi-byte UTF-8 (é, €, 😀) so byte lengths differ from string lengths. */
function textFrom(random: Prng, maxLength: number): string {
  const alphabet = ['a', 'Z', '0', '-', 'é', '€', '😀', ' '];
  const length = Math.floor(random.next() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random.next() * alphabet.length)];
  return text;
}

function bufferFrom(random: Prng, maxLength: number): Buffer {
  const out = Buffer.alloc(Math.floor(random.next() * (maxLength + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random.next() * 256);
  return out;
}

function bytesOrNull(random: Prng, maxLength: number): string | Buffer | null {
  const pick = random.next();
  return pick < 0.1 ? null : pick < 0.5 ? textFrom(random, maxLength) : bufferFrom(random, maxLength);
}

function randomRecord(random: Prng): RecordToEncode {
  const headers: Record<string, string | Buffer | Array<string | Buffer>> = {};
  const headerCount = Math.floor(random.next() * 8);
  for (let h = 0; h < headerCount; h++) {
    const key = `${textFrom(random, 12)}#${h}`;
    headers[key] =
      random.next() < 0.2
        ? [textFrom(random, 40), bufferFrom(random, 40)]
        : random.next() < 0.5
          ? textFrom(random, 60)
          : bufferFrom(random, 60);
  }
  const magnitudes = [0, 1, 63, 64, 8191, 8192, 2 ** 31 - 1, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER];
  const magnitude = magnitudes[Math.floor(random.next() * magnitudes.length)] ?? 0;
  return {
    offsetDelta: Math.floor(random.next() * 20_000),
    timestampDelta: random.next() < 0.2 ? -magnitude : magnitude,
    key: bytesOrNull(random, 40),
    // Up to 300 bytes: lengths from 1 to 3 varint bytes and records beyond kafkajs's 512-byte start.
    value: bytesOrNull(random, 300),
    headers,
  };
}

describe('single-buffer record encoder', () => {
  test('writes the bytes kafkajs writes for 5,000 random records', () => {
    const random = new Prng(20261202);
    for (let i = 0; i < 5_000; i++) {
      const record = randomRecord(random);
      const encoded = encodeRecord(record);
      assert.equal(encoded.buf.length, encoded.offset, `record ${i} went to kafkajs's encoder`);
      assert.deepEqual(encoded.buffer, bytesOf(record, kafkajsEncodeRecord), `record ${i}`);
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
    assert.deepEqual(bytesOf(message, encodeRecord), bytesOf(message, kafkajsEncodeRecord));
    assert.deepEqual(bytesOf({}, encodeRecord), bytesOf({}, kafkajsEncodeRecord));
  });

  test('returns a kafkajs Encoder over exactly the record', () => {
    const encoded = encodeRecord({ key: 'k', value: 'v', headers: { a: 'b' } });
    const Encoder = createRequire(import.meta.url)('kafkajs/src/protocol/encoder.js') as new () => object;
    assert.ok(encoded instanceof Encoder);
    assert.equal(encoded.buf.length, encoded.offset);
    assert.deepEqual(encoded.buffer, encoded.buf);
  });

  test("leaves inputs it does not handle to kafkajs's encoder, errors included", () => {
    for (const record of [
      { key: 'k', value: 'v', headers: { a: null } },
      { key: 'k', value: 'v', headers: { a: 42 } },
      { key: 42, value: 'v' },
      { key: 'k', value: 'v', timestampDelta: 1.5 },
    ] as RecordToEncode[]) {
      let expected: Buffer | Error;
      try {
        expected = bytesOf(record, kafkajsEncodeRecord);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) {
        assert.throws(() => encodeRecord(record), { name: expected.name, message: expected.message });
      } else {
        assert.deepEqual(bytesOf(record, encodeRecord), expected);
      }
    }
  });

  test("kafkajs's produce request takes this encoder once the patches are applied", () => {
    applyKafkajsPatches();
    const require = createRequire(import.meta.url);
    assert.equal(require('kafkajs/src/protocol/recordBatch/record/v0/index.js'), encodeRecord);
  });
});
