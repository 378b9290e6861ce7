import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { applyKafkajsPatches } from '../../../lib/kafka/kafkajs-patches/index.ts';
import {
  type DecodedRecord,
  decodeRecordFast,
  fastRecordDecoder,
  type KafkajsDecoder,
  originalRecordDecoder,
  type RecordBatchContext,
  type RecordDecoder,
} from '../../../lib/kafka/kafkajs-patches/record-decoder.ts';
import { Prng } from '../../../lib/random/prng.ts';
import { bufferFrom, randomMessage } from '../../support/random-kafka-records.ts';

applyKafkajsPatches();
const require = createRequire(import.meta.url);
interface KafkajsEncoder {
  buffer: Buffer;
  writeInt8(value: number): KafkajsEncoder;
  writeVarInt(value: number): KafkajsEncoder;
  writeVarLong(value: unknown): KafkajsEncoder;
  writeVarIntBytes(value: Buffer | string | null): KafkajsEncoder;
}
const Encoder: new () => KafkajsEncoder = require('kafkajs/src/protocol/encoder.js');
const Decoder: new (
  buffer: Buffer,
) => KafkajsDecoder & { readVarIntBytes(): Buffer } = require('kafkajs/src/protocol/decoder.js');
const Long: { fromValue(value: unknown): unknown } = require('kafkajs/src/utils/long.js');
const Record: (
  args: object,
) => KafkajsEncoder = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const {
  RecordBatch,
}: {
  RecordBatch: (args: object) => Promise<{ buffer: Buffer }>;
} = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const RecordBatchDecoder: (
  decoder: KafkajsDecoder,
) => Promise<{ records: DecodedRecord[] }> = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');

function kafkajsDecoder(): RecordDecoder {
  const original = originalRecordDecoder();
  assert.ok(original, 'applyKafkajsPatches() kept kafkajs’s record decoder');
  return original;
}

/** What a decoder makes of a record's bytes: the record and where the decoder stopped, or the error. */
function outcome(decode: RecordDecoder, bytes: Buffer, context: RecordBatchContext) {
  const decoder = new Decoder(bytes);
  try {
    return { record: decode(decoder, context), offset: decoder.offset };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A record's bytes as kafkajs's record batch decoder hands them over (without the length prefix). */
const recordBytes = (encoder: KafkajsEncoder): Buffer => new Decoder(encoder.buffer).readVarIntBytes();

const pick = <T>(random: Prng, values: readonly T[]): T =>
  values[Math.floor(random.next() * values.length)] as T;

const safeOffsets = ['0', '1', '1000000', String(2 ** 40 + 7), String(Number.MAX_SAFE_INTEGER - 5)];
const unsafeOffsets = ['9007199254740993', '-1', '0012', '', 'NaN', undefined];

function randomContext(random: Prng): RecordBatchContext {
  const timestamps = [String(Date.UTC(2026, 11, 4)), '0', String(2 ** 52)];
  return {
    firstOffset: random.next() < 0.9 ? pick(random, safeOffsets) : pick(random, unsafeOffsets),
    firstTimestamp: random.next() < 0.9 ? pick(random, timestamps) : pick(random, unsafeOffsets),
    maxTimestamp: pick(random, [String(Date.UTC(2026, 11, 5)), '', undefined]),
    timestampType: pick(random, [0, 1, -1, undefined]),
    isControlBatch: pick(random, [false, true, undefined, null]),
    magicByte: pick(random, [2, undefined]),
  };
}

function randomRecord(random: Prng): Buffer {
  const message = randomMessage(random);
  const timestampDelta =
    random.next() < 0.8
      ? Math.floor((random.next() - 0.5) * 2 ** pick(random, [8, 20, 40, 48]))
      : Long.fromValue(BigInt(Math.floor(random.next() * 2 ** 30)) * 2n ** 30n); // 8 and 9 varint bytes
  return recordBytes(
    Record({
      offsetDelta: Math.floor(random.next() * 2 ** pick(random, [4, 14, 31])),
      timestampDelta,
      key: message.key,
      value: message.value,
      headers: message.headers,
    }),
  );
}

describe('record decoder', () => {
  test('gives kafkajs’s record, and stops where kafkajs does, for 5,000 random records and batch contexts', () => {
    const random = new Prng(20261204);
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = randomRecord(random);
      const context = randomContext(random);
      const theirs = outcome(kafkajsDecoder(), bytes, context);
      assert.deepStrictEqual(outcome(fastRecordDecoder(), bytes, context), theirs, `record ${i}`);
      if (decodeRecordFast(new Decoder(bytes), context) !== null) fast++;
    }
    // About 57 % are expected: a tenth of the contexts has an unusable first offset, a tenth an unusable
    // first timestamp, a fifth of the records a timestamp delta of 8 or 9 varint bytes.
    assert.ok(fast > 2500, `the fast path decodes most of them (${fast} of 5000)`);
  });

  test('on 6,000 truncated, corrupted or random records, what the fast path decodes is what kafkajs decodes', () => {
    // Where the fast path declines, kafkajs's own decoder reads the record (the next test shows it),
    // so only the records it reads itself are compared: kafkajs alone can loop over billions of
    // headers when a damaged count says so, and does so here too.
    const random = new Prng(4122026);
    const taken = [0, 0, 0];
    for (let i = 0; i < 6000; i++) {
      const bytes = Buffer.from(randomRecord(random));
      const kind = i % 3;
      const damaged =
        kind === 0
          ? bytes.subarray(0, Math.floor(random.next() * bytes.length))
          : kind === 1
            ? Buffer.from(
                bytes.map((byte) => (random.next() < 0.05 ? Math.floor(random.next() * 256) : byte)),
              )
            : bufferFrom(random, 60);
      const context = randomContext(random);
      const fast = outcome(
        (decoder, batchContext) => {
          const record = decodeRecordFast(decoder, batchContext ?? {});
          if (record === null) throw new Error('declined');
          return record;
        },
        damaged,
        context,
      );
      if ('error' in fast && fast.error === 'Error: declined') continue;
      taken[kind] = (taken[kind] ?? 0) + 1;
      assert.deepStrictEqual(
        outcome(fastRecordDecoder(), damaged, context),
        outcome(kafkajsDecoder(), damaged, context),
        `record ${i} (${['truncated', 'corrupted', 'random'][kind]})`,
      );
    }
    const [truncated = 0, corrupted = 0, random60 = 0] = taken;
    assert.ok(
      truncated > 400 && corrupted > 400 && random60 > 20,
      `each kind of damage reaches the fast path (${taken.join(', ')} of 2,000 each)`,
    );
  });

  test('takes the fast path for this project’s records and leaves the cases it does not cover to kafkajs', () => {
    const context = { firstOffset: '41', firstTimestamp: '1764806400000', timestampType: 0, magicByte: 2 };
    const header = (encoder: KafkajsEncoder, name: string | null, value: Buffer | null) =>
      encoder.writeVarIntBytes(name).writeVarIntBytes(value);
    const raw = (headers: (e: KafkajsEncoder) => KafkajsEncoder, timestampDelta: unknown = 3) =>
      headers(
        new Encoder()
          .writeInt8(0)
          .writeVarLong(timestampDelta)
          .writeVarInt(2)
          .writeVarIntBytes('k')
          .writeVarIntBytes(Buffer.from([1, 2])),
      ).buffer;
    const project = raw((e) =>
      header(
        header(header(e.writeVarInt(3), 'message-id', Buffer.from('m')), 'tags', Buffer.from('a')),
        'tags',
        Buffer.from('b'),
      ),
    );
    const record = decodeRecordFast(new Decoder(project), context);
    assert.ok(record, 'fast path');
    assert.equal(record.offset, '43');
    assert.equal(record.timestamp, '1764806400003');
    assert.deepEqual(record.headers, {
      'message-id': Buffer.from('m'),
      tags: [Buffer.from('a'), Buffer.from('b')],
    });

    const leftToKafkajs: Record<string, [Buffer, RecordBatchContext]> = {
      'a header named __proto__': [
        raw((e) => header(e.writeVarInt(1), '__proto__', Buffer.from('x'))),
        context,
      ],
      'a header count below -1': [raw((e) => e.writeVarInt(-2)), context],
      'a timestamp delta of 8 varint bytes': [
        raw((e) => e.writeVarInt(0), Long.fromValue(2n ** 50n)),
        context,
      ],
      'a first offset beyond 2^53': [project, { ...context, firstOffset: '9007199254740993' }],
      'a first timestamp that is not a canonical integer': [project, { ...context, firstTimestamp: '01' }],
    };
    for (const [name, [bytes, batchContext]] of Object.entries(leftToKafkajs)) {
      assert.equal(decodeRecordFast(new Decoder(bytes), batchContext), null, name);
      assert.deepStrictEqual(
        outcome(fastRecordDecoder(), bytes, batchContext),
        outcome(kafkajsDecoder(), bytes, batchContext),
        name,
      );
    }
    // Header names kafkajs keys specially: a null name is 'null'; an inherited name pairs with the inherited value.
    const special = raw((e) =>
      header(header(e.writeVarInt(2), null, Buffer.from('n')), 'constructor', Buffer.from('c')),
    );
    const decoded = decodeRecordFast(new Decoder(special), context);
    assert.ok(decoded, 'fast path');
    assert.deepStrictEqual(decoded, kafkajsDecoder()(new Decoder(special), context));
    assert.deepEqual(decoded.headers.null, Buffer.from('n'));
  });

  test('kafkajs’s record batch decoder uses it once the patches are applied', async () => {
    assert.equal(require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js'), fastRecordDecoder());
    const batch = await RecordBatch({
      firstOffset: Long.fromValue(7),
      firstTimestamp: 1_764_806_400_000,
      lastOffsetDelta: 1,
      records: [
        Record({ offsetDelta: 0, key: 'a', value: 'x', headers: { h: '1' } }),
        Record({ offsetDelta: 1, timestampDelta: 5, key: 'b', value: 'y', headers: {} }),
      ],
    });
    const { records } = await RecordBatchDecoder(new Decoder(batch.buffer));
    assert.deepEqual(
      records.map((r) => [
        r.offset,
        r.timestamp,
        r.key?.toString(),
        r.value?.toString(),
        Object.keys(r.headers),
      ]),
      [
        ['7', '1764806400000', 'a', 'x', ['h']],
        ['8', '1764806400005', 'b', 'y', []],
      ],
    );
  });
});
