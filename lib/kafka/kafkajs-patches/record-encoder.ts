/**
 * Measures and writes Kafka records (v2 record format), byte for byte what kafkajs 2.2.4's record
 * encoder writes, for `produce-request-encoder.ts`, which writes a produce request's records
 * straight into the request body.
 *
 * kafkajs's record encoder (`protocol/recordBatch/record/v0`) builds every record with a fresh
 * `Encoder` — a zero-filled 512-byte `Buffer.alloc`, i.e. a new ArrayBuffer with its own backing
 * store — plus one more `Encoder` per header, and a `Buffer.from([...])` for every varint it writes
 * (64-bit ones through BigInt `Long` objects): seven 512-byte allocations and about twenty small
 * buffers for a message with this project's six headers, 11 % of the orchestrator's busy time in a
 * `--profile` run at 750 sagas/s. Here a record is measured first (`measureRecord`), then written
 * where its batch needs it (`writeRecord`). Its timestamp delta is always 0: the produce encoder
 * stamps a batch with one clock reading and leaves messages with their own timestamp to kafkajs.
 * Inputs outside what this handles (a header value that is neither a string nor a Buffer, a key or
 * value that is neither null, a string nor a Buffer) measure as null: kafkajs encodes those
 * requests.
 */

type HeaderValue = string | Buffer;

/** A message as producers pass it to kafkajs (`producer.send`). */
export interface RecordToEncode {
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/** Zig-zag of a 32-bit integer as an unsigned number (kafkajs: `(v << 1) ^ (v >> 31)`). */
const zigZag32 = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

const sizeOfUnsigned = (unsigned: number): number => {
  let bytes = 1;
  for (let rest = unsigned; rest > 0x7f; rest >>>= 7) bytes++;
  return bytes;
};

const byteLengthOf = (value: HeaderValue): number =>
  typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;

export interface Header {
  key: string;
  keyLength: number;
  value: HeaderValue;
  valueLength: number;
}

/** The headers in kafkajs's order (array values expand in place), or null when one is not a string or Buffer. */
function headersOf(headers: Record<string, unknown>): Header[] | null {
  const list: Header[] = [];
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue;
    const raw = headers[key];
    if (!Array.isArray(raw)) {
      if (!pushHeader(list, key, raw)) return null;
      continue;
    }
    for (const value of raw as unknown[]) if (!pushHeader(list, key, value)) return null;
  }
  return list;
}

/** Adds one header to the list; false when its value is not a string or Buffer. */
function pushHeader(list: Header[], key: string, value: unknown): boolean {
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return false;
  list.push({ key, keyLength: Buffer.byteLength(key, 'utf8'), value, valueLength: byteLengthOf(value) });
  return true;
}

/** A key or value this encoder writes (destructuring has already turned undefined into null). */
const isBytes = (value: unknown): value is HeaderValue | null =>
  value === null || typeof value === 'string' || Buffer.isBuffer(value);

/**
 * Strings up to this length that are ASCII are copied char by char: for the ids and names in this
 * project's headers that is faster than `Buffer.write`'s call into the runtime.
 */
const SHORT_ASCII_MAX = 64;

/** Writes a record's fields at `offset` of a buffer sized for it. */
class RecordWriter {
  readonly buf: Buffer;
  offset: number;
  constructor(buf: Buffer, offset: number) {
    this.buf = buf;
    this.offset = offset;
  }

  unsigned(value: number): void {
    let rest = value;
    while (rest > 0x7f) {
      this.buf[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.offset++] = rest;
  }

  /** Varint length (-1 for null) followed by the bytes. */
  bytes(value: HeaderValue | null, length: number): void {
    if (value === null) {
      this.unsigned(zigZag32(-1));
      return;
    }
    this.unsigned(zigZag32(length));
    if (typeof value !== 'string') this.offset += value.copy(this.buf, this.offset);
    else if (length === value.length && length <= SHORT_ASCII_MAX) this.ascii(value);
    else this.offset += this.buf.write(value, this.offset, length, 'utf8');
  }

  /**
   * A string whose UTF-8 length equals its length, i.e. ASCII only (any other UTF-16 code unit,
   * a lone surrogate included, takes 2 or 3 bytes): its char codes are its bytes.
   */
  ascii(value: string): void {
    for (let i = 0; i < value.length; i++) this.buf[this.offset++] = value.charCodeAt(i);
  }
}

const sizeOfBytes = (value: HeaderValue | null, length: number): number =>
  value === null ? sizeOfUnsigned(zigZag32(-1)) : sizeOfUnsigned(zigZag32(length)) + length;

/** A record this encoder handles, measured: what `writeRecord` writes and how many bytes it takes. */
export interface MeasuredRecord {
  /** Bytes of the record's body; the record starts with this as a varint. */
  readonly bodySize: number;
  /** Bytes of the whole record: the body and its length varint. */
  readonly size: number;
  readonly offsetDelta: number;
  readonly key: HeaderValue | null;
  readonly keyLength: number;
  readonly value: HeaderValue | null;
  readonly valueLength: number;
  readonly headers: readonly Header[];
}

/**
 * The layout of the record at `offsetDelta` in its batch, or null when kafkajs's encoder has to
 * write it (an input this one does not handle).
 */
export function measureRecord(record: RecordToEncode, offsetDelta: number): MeasuredRecord | null {
  const { key = null, value = null, headers = {} } = record;
  const headerList = headersOf(headers);
  if (headerList === null || !isBytes(key) || !isBytes(value)) return null;
  const keyLength = key === null ? 0 : byteLengthOf(key);
  const valueLength = value === null ? 0 : byteLengthOf(value);

  let bodySize =
    1 + // attributes
    1 + // timestamp delta: 0
    sizeOfUnsigned(zigZag32(offsetDelta)) +
    sizeOfBytes(key, keyLength) +
    sizeOfBytes(value, valueLength) +
    sizeOfUnsigned(zigZag32(headerList.length));
  for (const header of headerList) {
    bodySize += sizeOfBytes(header.key, header.keyLength) + sizeOfBytes(header.value, header.valueLength);
  }
  return {
    bodySize,
    size: sizeOfUnsigned(zigZag32(bodySize)) + bodySize,
    offsetDelta,
    key,
    keyLength,
    value,
    valueLength,
    headers: headerList,
  };
}

/** Writes the measured record at `offset` (`record.size` bytes must be free there); returns the offset after it. */
export function writeRecord(buf: Buffer, offset: number, record: MeasuredRecord): number {
  const writer = new RecordWriter(buf, offset);
  writer.unsigned(zigZag32(record.bodySize));
  writer.buf[writer.offset++] = 0; // attributes: none used
  writer.buf[writer.offset++] = 0; // timestamp delta: the batch's own timestamp
  writer.unsigned(zigZag32(record.offsetDelta));
  writer.bytes(record.key, record.keyLength);
  writer.bytes(record.value, record.valueLength);
  writer.unsigned(zigZag32(record.headers.length));
  for (const header of record.headers) {
    writer.bytes(header.key, header.keyLength);
    writer.bytes(header.value, header.valueLength);
  }
  if (writer.offset !== offset + record.size) {
    throw new Error(
      `record encoder wrote ${writer.offset - offset} bytes of a record measured at ${record.size}`,
    );
  }
  return writer.offset;
}
