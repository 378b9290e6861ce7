/**
 * Encodes each record of a produce request into one exactly sized buffer, byte for byte what kafkajs
 * 2.2.4 writes.
 *
 * kafkajs's record encoder (`protocol/recordBatch/record/v0`) builds every record with a fresh
 * `Encoder` — a zero-filled 512-byte `Buffer.alloc`, i.e. a new ArrayBuffer with its own backing
 * store — plus one more `Encoder` per header, and a `Buffer.from([...])` for every varint it writes
 * (64-bit ones through BigInt `Long` objects). A message with the six headers of this project's
 * messages thus costs seven 512-byte allocations and about twenty small buffers before it is copied
 * into its batch: 11 % of the orchestrator's busy time and much of its garbage collection in a
 * `--profile` run at 750 sagas/s. This encoder computes the record's size first and writes it into
 * one `Buffer.allocUnsafe` (pooled below 4 KiB; every byte is written), and hands kafkajs an
 * `Encoder` over that buffer.
 *
 * kafkajs loads that module lazily, on the first produce request (`requests/produce/v3/request.js`
 * takes its export when it is first required); the replacement is put into the module's cache
 * entry before that. Inputs outside what it handles (a header value that is neither a string nor a
 * Buffer, a key or value that is neither null, a string nor a Buffer, a timestamp delta that is not
 * a safe integer) go to kafkajs's own encoder unchanged.
 */
import { createRequire } from 'node:module';

/** The parts of kafkajs's `Encoder` the record batch uses. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

type HeaderValue = string | Buffer;

/** The argument kafkajs's produce request passes to the record encoder for each message. */
export interface RecordToEncode {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

type EncodeRecord = (record: RecordToEncode) => KafkajsEncoder;

const require = createRequire(import.meta.url);
const recordModulePath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const produceRequestModulePath = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
const encoderPrototype: object = (require('kafkajs/src/protocol/encoder.js') as { prototype: object })
  .prototype;

/** kafkajs's own record encoder, as loaded before the replacement. */
export const kafkajsEncodeRecord: EncodeRecord = require(recordModulePath);

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** Zig-zag of a 32-bit integer as an unsigned number (kafkajs: `(v << 1) ^ (v >> 31)`). */
const zigZag32 = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

const sizeOfUnsigned = (unsigned: number): number => {
  let bytes = 1;
  for (let rest = unsigned; rest > 0x7f; rest >>>= 7) bytes++;
  return bytes;
};

/** Zig-zag of a 64-bit integer (the timestamp delta) as an unsigned BigInt. */
const zigZag64 = (value: number): bigint =>
  BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));

const sizeOfUnsigned64 = (unsigned: bigint): number => {
  let bytes = 1;
  for (let rest = unsigned; rest > 0x7fn; rest >>= 7n) bytes++;
  return bytes;
};

const byteLengthOf = (value: HeaderValue): number =>
  typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;

interface Header {
  key: string;
  keyLength: number;
  value: HeaderValue;
  valueLength: number;
}

/** The headers in kafkajs's order (array values expand in place), or null when one is not a string or Buffer. */
function headersOf(headers: Record<string, unknown>): Header[] | null {
  const list: Header[] = [];
  for (const key of Object.keys(headers)) {
    const raw = headers[key];
    for (const value of Array.isArray(raw) ? (raw as unknown[]) : [raw]) {
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) return null;
      list.push({ key, keyLength: Buffer.byteLength(key, 'utf8'), value, valueLength: byteLengthOf(value) });
    }
  }
  return list;
}

/** A key or value this encoder writes (destructuring has already turned undefined into null). */
const isBytes = (value: unknown): value is HeaderValue | null =>
  value === null || typeof value === 'string' || Buffer.isBuffer(value);

class RecordWriter {
  readonly buf: Buffer;
  offset = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  unsigned(value: number): void {
    let rest = value;
    while (rest > 0x7f) {
      this.buf[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.offset++] = rest;
  }

  unsigned64(value: bigint): void {
    let rest = value;
    while (rest > 0x7fn) {
      this.buf[this.offset++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buf[this.offset++] = Number(rest);
  }

  /** Varint length (-1 for null) followed by the bytes. */
  bytes(value: HeaderValue | null, length: number): void {
    if (value === null) {
      this.unsigned(zigZag32(-1));
      return;
    }
    this.unsigned(zigZag32(length));
    if (typeof value === 'string') this.offset += this.buf.write(value, this.offset, length, 'utf8');
    else this.offset += value.copy(this.buf, this.offset);
  }
}

const sizeOfBytes = (value: HeaderValue | null, length: number): number =>
  value === null ? sizeOfUnsigned(zigZag32(-1)) : sizeOfUnsigned(zigZag32(length)) + length;

/** Same bytes as kafkajs's record encoder, in one buffer; kafkajs's encoder for inputs it does not handle. */
export const encodeRecord: EncodeRecord = (record) => {
  const { offsetDelta = 0, timestampDelta = 0, headers = {} } = record;
  const headerList = headersOf(headers);
  const { key = null, value = null } = record;
  if (
    headerList === null ||
    !isBytes(key) ||
    !isBytes(value) ||
    !Number.isSafeInteger(timestampDelta) ||
    !Number.isInteger(offsetDelta)
  ) {
    return kafkajsEncodeRecord(record);
  }
  const keyLength = key === null ? 0 : byteLengthOf(key);
  const valueLength = value === null ? 0 : byteLengthOf(value);
  const smallTimestamp = timestampDelta >= INT32_MIN && timestampDelta <= INT32_MAX;
  const timestamp = smallTimestamp ? zigZag32(timestampDelta) : zigZag64(timestampDelta);

  let bodySize =
    1 + // attributes
    (typeof timestamp === 'number' ? sizeOfUnsigned(timestamp) : sizeOfUnsigned64(timestamp)) +
    sizeOfUnsigned(zigZag32(offsetDelta)) +
    sizeOfBytes(key, keyLength) +
    sizeOfBytes(value, valueLength) +
    sizeOfUnsigned(zigZag32(headerList.length));
  for (const header of headerList) {
    bodySize += sizeOfBytes(header.key, header.keyLength) + sizeOfBytes(header.value, header.valueLength);
  }

  const writer = new RecordWriter(sizeOfUnsigned(zigZag32(bodySize)) + bodySize);
  writer.unsigned(zigZag32(bodySize));
  writer.buf[writer.offset++] = 0; // attributes: none used
  if (typeof timestamp === 'number') writer.unsigned(timestamp);
  else writer.unsigned64(timestamp);
  writer.unsigned(zigZag32(offsetDelta));
  writer.bytes(key, keyLength);
  writer.bytes(value, valueLength);
  writer.unsigned(zigZag32(headerList.length));
  for (const header of headerList) {
    writer.bytes(header.key, header.keyLength);
    writer.bytes(header.value, header.valueLength);
  }
  if (writer.offset !== writer.buf.length) {
    throw new Error(`record encoder wrote ${writer.offset} bytes into a buffer of ${writer.buf.length}`);
  }
  const encoder = Object.create(encoderPrototype) as KafkajsEncoder;
  encoder.buf = writer.buf;
  encoder.offset = writer.offset;
  return encoder;
};

interface CachedModule {
  exports: unknown;
}

/**
 * Idempotent; must run before the process's first produce request. Throws when kafkajs's produce
 * request module is already loaded with the original encoder (it keeps the function it took).
 */
export function applySingleBufferRecordEncoder(): void {
  const cache = require.cache as Record<string, CachedModule | undefined>;
  const recordModule = cache[recordModulePath];
  if (recordModule === undefined)
    throw new Error(`kafkajs record encoder not loaded from ${recordModulePath}`);
  if (recordModule.exports === encodeRecord) return;
  if (cache[produceRequestModulePath] !== undefined) {
    throw new Error(
      'kafkajs produced before lib/kafka/record-encoder.ts was applied: apply it where the Kafka client is created',
    );
  }
  recordModule.exports = encodeRecord;
}
