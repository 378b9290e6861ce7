/**
 * Decodes one record of a fetched record batch into exactly the object kafkajs 2.2.4 returns, with
 * less work per record.
 *
 * kafkajs's record decoder (`protocol/recordBatch/record/v0/decoder.js`) reads the timestamp delta
 * as a BigInt-backed `Long` (a handful of BigInt allocations per varint byte), turns the batch's
 * first offset and first timestamp from strings back into BigInts for every record to add the
 * deltas, and builds the headers object by spreading the one before into a new object for each
 * header: six headers make six objects. Every message of this project is such a record: the
 * participants decode commands, the orchestrator replies, the bench's driver every order event. In
 * a microbenchmark of this project's records (UUID key, 120-byte value, six headers) kafkajs took
 * 3.1–3.2 µs per record and this decoder 1.4 (`bench/record-decoding.ts`, now in git history).
 *
 * Here the varints are read as numbers (with kafkajs's arithmetic, so malformed input decodes to
 * the same values), the batch's first offset and timestamp are parsed once per batch, and the
 * headers go into one object. Whatever the fast path does not cover — a timestamp or offset beyond
 * 2^53, a timestamp delta of 8 or more varint bytes, a length below -1, a header named `__proto__`, a header count larger than the bytes left —
 * is decoded by kafkajs's own function from the record's start, so it gives kafkajs's result or
 * kafkajs's error.
 *
 * kafkajs loads its fetch response modules on the first fetch; the record decoder's export is
 * replaced in the module cache before the record batch decoder, which takes it when it loads.
 */
import { kafkajsModulePath, replaceKafkajsModule } from './kafkajs-module-cache.ts';

/** kafkajs's `Decoder` as far as this module uses it: the record's bytes and the read position. */
export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
}

/** What kafkajs's record batch decoder passes with each record (the batch's header fields). */
export interface RecordBatchContext {
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  maxTimestamp?: unknown;
  timestampType?: unknown;
  magicByte?: unknown;
  isControlBatch?: unknown;
}

export type DecodedHeaderValue = Buffer | null;

/** kafkajs's decoded record (its `Message` with the batch it came from). */
export interface DecodedRecord {
  magicByte: unknown;
  attributes: number;
  timestamp: unknown;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, DecodedHeaderValue | DecodedHeaderValue[]>;
  isControlRecord: unknown;
  batchContext: RecordBatchContext;
}

export type RecordDecoder = (decoder: KafkajsDecoder, batchContext?: RecordBatchContext) => DecodedRecord;

const LOG_APPEND_TIME = 1;
/** Seven varint bytes carry 49 bits: a zigzag value below 2^49 is exact as a number. */
const MAX_NUMBER_VARLONG_BYTES = 7;

let kafkajsRecordDecoder: RecordDecoder | null = null;

/** kafkajs's record decoder, as loaded before the replacement; null until it is applied. */
export const originalRecordDecoder = (): RecordDecoder | null => kafkajsRecordDecoder;

/** The integer a canonical decimal string stands for, or NaN when it is not a safe integer. */
function safeIntegerOf(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const value = Number(text);
  return Number.isSafeInteger(value) && String(value) === text ? value : Number.NaN;
}

// The batch the last record came from, with its first offset and timestamp as numbers: the records
// of a batch are decoded one after another with the same context object.
let lastContext: RecordBatchContext | null = null;
let firstOffset = Number.NaN;
let firstTimestamp = Number.NaN;

// The record being read by decodeRecordFast and its position: module state rather than closures, so that
// reading a record allocates nothing but the values it returns.
const noBytes = Buffer.alloc(0);
let buf: Buffer = noBytes;
let at = 0;

/** kafkajs's varint arithmetic (Decoder.readVarInt), so any input gives kafkajs's number. */
function readVarInt(): number {
  let byte: number;
  let result = 0;
  let shift = 0;
  do {
    byte = buf[at++] as number;
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** Length-prefixed bytes: null for length -1, undefined (kafkajs's decoder must read) below -1. */
function readBytes(): Buffer | null | undefined {
  const length = readVarInt();
  if (length === -1) return null;
  if (length < -1) return undefined;
  const slice = buf.subarray(at, at + length);
  at += length;
  return slice;
}

/**
 * Reads one record with the fast path, or returns null where kafkajs's decoder must read it (from the
 * record's start: the decoder's position is then somewhere inside the record).
 */
export function decodeRecordFast(decoder: KafkajsDecoder, context: RecordBatchContext): DecodedRecord | null {
  if (context !== lastContext) {
    lastContext = context;
    firstOffset = safeIntegerOf(context.firstOffset);
    firstTimestamp = safeIntegerOf(context.firstTimestamp);
  }
  buf = decoder.buffer;
  at = decoder.offset;

  const attributes = buf.readInt8(at);
  at += 1;

  let byte = buf[at++] as number;
  let zigzag = byte & 0x7f;
  for (let scale = 128, count = 1; byte >= 0x80; scale *= 128, count++) {
    if (count === MAX_NUMBER_VARLONG_BYTES) return null;
    byte = buf[at++] as number;
    zigzag += (byte & 0x7f) * scale;
  }
  const timestampDelta = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  let timestamp: unknown;
  if (context.timestampType === LOG_APPEND_TIME && context.maxTimestamp) {
    timestamp = context.maxTimestamp;
  } else {
    const sum = firstTimestamp + timestampDelta;
    if (!Number.isSafeInteger(sum)) return null;
    timestamp = String(sum);
  }
  const offset = firstOffset + readVarInt();
  if (!Number.isSafeInteger(offset)) return null;

  const key = readBytes();
  if (key === undefined) return null;
  const value = readBytes();
  if (value === undefined) return null;

  const headers: DecodedRecord['headers'] = {};
  const headerCount = readVarInt();
  if (headerCount < -1 || headerCount > buf.length - at) return null;
  for (let h = 0; h < headerCount; h++) {
    const nameLength = readVarInt();
    if (nameLength < -1) return null;
    let name = 'null'; // kafkajs keys a null header name as the string 'null'
    if (nameLength !== -1) {
      name = buf.toString('utf8', at, at + nameLength);
      at += nameLength;
    }
    if (name === '__proto__') return null;
    const headerValue = readBytes();
    if (headerValue === undefined) return null;
    // kafkajs's rule: a repeated name makes an array; an inherited property counts as a first value.
    const previous: unknown = headers[name];
    if (previous === undefined) headers[name] = headerValue;
    else if (Array.isArray(previous)) previous.push(headerValue);
    else headers[name] = [previous as DecodedHeaderValue, headerValue];
  }
  decoder.offset = at;
  return {
    magicByte: context.magicByte,
    attributes,
    timestamp,
    offset: String(offset),
    key,
    value,
    headers,
    isControlRecord: context.isControlBatch === undefined ? false : context.isControlBatch,
    batchContext: context,
  };
}

/** The replacement: the fast path, or kafkajs's decoder from the record's first byte. */
const decodeRecord: RecordDecoder = (decoder, batchContext = {}) => {
  const start = decoder.offset;
  const record = decodeRecordFast(decoder, batchContext);
  buf = noBytes; // hold no fetch response between records
  if (record !== null) return record;
  const original = kafkajsRecordDecoder;
  if (original === null) throw new Error('record-decoder: used before it was applied');
  decoder.offset = start;
  return original(decoder, batchContext);
};

/** This module's decoder, for tests and the microbenchmark (it needs `applyFastRecordDecoder` first). */
export const fastRecordDecoder = (): RecordDecoder => decodeRecord;

/**
 * Idempotent; must run before the process's first fetch. Throws when kafkajs has already loaded its
 * record batch decoder, which keeps the record decoder it found.
 */
export function applyFastRecordDecoder(): void {
  const original = replaceKafkajsModule<RecordDecoder>({
    path: kafkajsModulePath('kafkajs/src/protocol/recordBatch/record/v0/decoder.js'),
    replacement: decodeRecord,
    dependents: [kafkajsModulePath('kafkajs/src/protocol/recordBatch/v0/decoder.js')],
    tooLate:
      'kafkajs decoded a fetch before lib/kafka/kafkajs-patches/record-decoder.ts was applied: apply it where the Kafka client is created',
  });
  if (original !== null) kafkajsRecordDecoder = original;
}
