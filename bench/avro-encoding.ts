/**
 * Microbenchmark of framing an Avro payload: avsc's `toBuffer` (a zero-filled buffer of its own per
 * payload) then the Confluent frame (a second buffer and a copy), as the codec (lib/avro/) did until
 * 2026-12-04, against `encodeWithType` now (encoded into a reused buffer, then one allocation of the
 * exact size). One payload of every record in schemas/ (avsc's random values, made once), encoded in
 * turn; garbage collection is part of the time. Interleaved rounds; prints µs per payload and the
 * command.
 *
 *   node --import tsx bench/avro-encoding.ts [--payloads 200000] [--rounds 4]
 */
import { encodeWithType } from '../lib/avro/avro-encoding.ts';
import { frame } from '../lib/avro/confluent-framing.ts';
import { recordSchemas } from '../lib/avro/record-catalog.ts';
import { positiveIntegerOptions, roundsAndMedian } from './support/microbenchmark-options.ts';

const { payloads: count, rounds } = positiveIntegerOptions({ payloads: 200_000, rounds: 4 });

const records = [...recordSchemas().values()].map((rec) => ({ ...rec, value: rec.type.random() }));

type Encode = (index: number) => Buffer;
const toBufferThenFrame: Encode = (i) => {
  const rec = records[i % records.length] as (typeof records)[number];
  return frame(7, rec.type.toBuffer(rec.value));
};
const codec: Encode = (i) => {
  const rec = records[i % records.length] as (typeof records)[number];
  return encodeWithType(rec.type, rec.name, 7, rec.value);
};

function microsPerPayload(encode: Encode): number {
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += encode(i).length;
  if (bytes === 0) throw new Error('nothing encoded');
  return ((performance.now() - started) * 1000) / count;
}

for (let i = 0; i < records.length; i++) {
  if (!toBufferThenFrame(i).equals(codec(i)))
    throw new Error(`${records[i]?.name}: the two encodings differ`);
}
microsPerPayload(toBufferThenFrame);
microsPerPayload(codec);
const results = { toBuffer: [] as number[], codec: [] as number[] };
for (let round = 0; round < rounds; round++) {
  results.toBuffer.push(microsPerPayload(toBufferThenFrame));
  results.codec.push(microsPerPayload(codec));
}
const show = (xs: number[]) => roundsAndMedian(xs, 3);
console.log(`${count} payloads per round over ${records.length} record types, µs per payload:`);
console.log(`  toBuffer + frame   ${show(results.toBuffer)}`);
console.log(`  encodeWithType     ${show(results.codec)}`);
console.log(`reproduce: node --import tsx bench/avro-encoding.ts --payloads ${count} --rounds ${rounds}`);
