/**
 * Microbenchmark of decoding fetched records: kafkajs 2.2.4's record decoder against this project's
 * (`lib/kafka/kafkajs-patches/record-decoder.ts`), on record batches of this project's messages (UUID key, six
 * headers, a 120-byte Avro body) written by kafkajs's own record batch encoder, read record by
 * record as kafkajs's record batch decoder reads them. Interleaved rounds; prints µs per record and
 * the command.
 *
 *   node --import tsx bench/record-decoding.ts [--records-per-batch 20] [--batches 200] [--rounds 4]
 */
import { createRequire } from 'node:module';
import { applyKafkajsPatches } from '../lib/kafka/kafkajs-patches/index.ts';
import {
  fastRecordDecoder,
  type KafkajsDecoder,
  originalRecordDecoder,
  type RecordBatchContext,
  type RecordDecoder,
} from '../lib/kafka/kafkajs-patches/record-decoder.ts';
import { projectMessage } from '../test/support/project-message.ts';
import { median, positiveIntegerOptions } from './support/microbenchmark-options.ts';

applyKafkajsPatches();
const require = createRequire(import.meta.url);
const Decoder: new (
  buffer: Buffer,
) => KafkajsDecoder & {
  readInt32(): number;
  readVarIntBytes(): Buffer;
} = require('kafkajs/src/protocol/decoder.js');
const Long: { fromValue(value: unknown): unknown } = require('kafkajs/src/utils/long.js');
const {
  RecordBatch,
}: {
  RecordBatch: (args: object) => Promise<{ buffer: Buffer }>;
} = require('kafkajs/src/protocol/recordBatch/v0/index.js');
const Record: (args: object) => unknown = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');

const {
  'records-per-batch': perBatch,
  batches: batchCount,
  rounds,
} = positiveIntegerOptions({ 'records-per-batch': 20, batches: 200, rounds: 4 });

const record = (offsetDelta: number) => Record({ offsetDelta, ...projectMessage('PaymentSucceeded') });

/** A batch's records section (after its 61-byte header) and the context kafkajs passes per record. */
interface Batch {
  records: Buffer;
  context: RecordBatchContext;
}
// Batch header fields after the first offset: length, leader epoch, magic, CRC, attributes, last offset delta.
const BATCH_HEADER_BEFORE_TIMESTAMP = 8 + 4 + 4 + 1 + 4 + 2 + 4;
const batches: Batch[] = [];
for (let b = 0; b < batchCount; b++) {
  const firstOffset = 1_000_000 + b * perBatch;
  const encoded = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    lastOffsetDelta: perBatch - 1,
    records: Array.from({ length: perBatch }, (_, i) => record(i)),
  });
  const firstTimestamp = encoded.buffer.readBigInt64BE(BATCH_HEADER_BEFORE_TIMESTAMP);
  batches.push({
    records: encoded.buffer.subarray(BATCH_HEADER_BEFORE_TIMESTAMP + 8 + 8 + 8 + 2 + 4),
    context: {
      firstOffset: String(firstOffset),
      firstTimestamp: String(firstTimestamp),
      maxTimestamp: String(firstTimestamp),
      timestampType: 0,
      isControlBatch: false,
      magicByte: 2,
    },
  });
}

function microsPerRecord(decode: RecordDecoder): number {
  const started = performance.now();
  let bytes = 0;
  for (const { records, context } of batches) {
    const decoder = new Decoder(records);
    const count = decoder.readInt32();
    for (let i = 0; i < count; i++) {
      // As kafkajs's record batch decoder does: one Decoder over each length-prefixed record.
      bytes += decode(new Decoder(decoder.readVarIntBytes()), context).value?.length ?? 0;
    }
  }
  if (bytes === 0) throw new Error('nothing decoded');
  return ((performance.now() - started) * 1000) / (batchCount * perBatch);
}

const kafkajs = originalRecordDecoder();
if (kafkajs === null) throw new Error('the record decoder was not applied');
const fast = fastRecordDecoder();
const results = { kafkajs: [] as number[], fast: [] as number[] };
for (let warmUp = 0; warmUp < 20; warmUp++) {
  microsPerRecord(kafkajs);
  microsPerRecord(fast);
}
for (let round = 0; round < rounds; round++) {
  for (let repeat = 0; repeat < 10; repeat++) {
    results.kafkajs.push(microsPerRecord(kafkajs));
    results.fast.push(microsPerRecord(fast));
  }
}
const perRound = (xs: number[]) =>
  Array.from({ length: rounds }, (_, r) => median(xs.slice(r * 10, r * 10 + 10)).toFixed(2)).join(' / ');
console.log(
  `decoding ${batchCount} batches of ${perBatch} records, µs per record (median of 10 passes per round):`,
);
console.log(
  `  kafkajs 2.2.4     ${perRound(results.kafkajs)}  (median ${median(results.kafkajs).toFixed(2)})`,
);
console.log(`  record-decoder    ${perRound(results.fast)}  (median ${median(results.fast).toFixed(2)})`);
console.log(
  `reproduce: node --import tsx bench/record-decoding.ts --records-per-batch ${perBatch} --batches ${batchCount} --rounds ${rounds}`,
);
