/**
 * A one-dimensional array parameter in Postgres's binary format (what `array_send` writes and
 * `array_recv` reads), for the element types the services bind in bulk. node-postgres sends a
 * Buffer parameter with the binary format code, and the statement's cast (`unnest(?::uuid[])`)
 * gives the parameter its type, so the server decodes each element with the type's receive
 * function instead of parsing a text literal: no quoting and unquoting, no hex for bytea, no
 * text parsing of UUIDs and timestamps.
 *
 * Why: under load the text literals the services bound before (`{"…","…"}`) cost Postgres about a quarter of its
 * busy time in `array_in` and the element input functions, and the services more time building and
 * copying the literals.
 *
 * Layout: ndim (1), has-nulls flag, element type OID, then the length and lower bound (1) of the
 * one dimension; then every element as its byte length (-1 for NULL) followed by its bytes.
 */

export type BinaryElementType =
  | 'uuid'
  | 'text'
  | 'jsonb'
  | 'json'
  | 'bytea'
  | 'int'
  | 'bigint'
  | 'timestamptz'
  | 'boolean';

const elementOids: Readonly<Record<BinaryElementType, number>> = {
  boolean: 16,
  bytea: 17,
  bigint: 20,
  int: 23,
  text: 25,
  timestamptz: 1184,
  uuid: 2950,
  jsonb: 3802,
  json: 114,
};

export const isBinaryElementType = (type: string): type is BinaryElementType =>
  Object.hasOwn(elementOids, type);

/** Raised for a value the element type cannot hold; names the type and shows the value. */
export class ArrayElementError extends TypeError {
  constructor(type: BinaryElementType, value: unknown, why: string) {
    super(`cannot bind ${describe(value)} as a ${type} array element: ${why}`);
    this.name = 'ArrayElementError';
  }
}

const describe = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date)
    return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  return typeof value === 'object'
    ? value === null
      ? 'null'
      : (value.constructor?.name ?? 'object')
    : String(value);
};

/** Postgres's epoch (2000-01-01 UTC) in Unix milliseconds; timestamptz is microseconds since it. */
const postgresEpochMs = 946_684_800_000;
const twoTo32 = 0x1_0000_0000;

/** Hex digit values by character code; -1 for anything else. */
const hexValues = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  hexValues['0123456789abcdef'.charCodeAt(i)] = i;
  hexValues['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/**
 * A growing write buffer reused across calls (the encoding is synchronous); each array is copied out
 * of it at the end, since node-postgres may send the parameter later than it is bound.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);
let at = 0;

const reserve = (bytes: number): void => {
  if (at + bytes <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
};

const int32 = (value: number): void => {
  reserve(4);
  scratch.writeInt32BE(value, at);
  at += 4;
};

/** A 64-bit signed integer from a JS integer (|value| < 2^53): high and low words. */
const int64 = (value: number): void => {
  reserve(8);
  const high = Math.floor(value / twoTo32);
  scratch.writeInt32BE(high, at);
  scratch.writeUInt32BE(value - high * twoTo32, at + 4);
  at += 8;
};

/** A length-prefixed UTF-8 string, optionally after a one-byte prefix (jsonb's format version). */
const utf8 = (text: string, versionByte?: number): void => {
  const prefix = versionByte === undefined ? 0 : 1;
  reserve(4 + prefix + text.length * 3);
  const start = at + 4;
  if (versionByte !== undefined) scratch[start] = versionByte;
  const written = scratch.write(text, start + prefix, 'utf8');
  scratch.writeInt32BE(written + prefix, at);
  at = start + prefix + written;
};

const uuid = (value: unknown): void => {
  if (typeof value !== 'string' || value.length !== 36)
    throw new ArrayElementError('uuid', value, 'not a UUID');
  reserve(20);
  scratch.writeInt32BE(16, at);
  let out = at + 4;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (value.charCodeAt(i) !== 45) throw new ArrayElementError('uuid', value, 'not a UUID');
      i += 1;
      continue;
    }
    const high = hexValues[value.charCodeAt(i)] ?? -1;
    const low = hexValues[value.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new ArrayElementError('uuid', value, 'not a UUID');
    scratch[out++] = (high << 4) | low;
    i += 2;
  }
  at += 20;
};

const integer = (type: 'int' | 'bigint', value: unknown): number => {
  const n = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new ArrayElementError(type, value, 'not a safe integer');
  if (type === 'int' && (n < -0x8000_0000 || n > 0x7fff_ffff))
    throw new ArrayElementError(type, value, 'out of range');
  return n;
};

function element(type: BinaryElementType, value: unknown): void {
  switch (type) {
    case 'uuid':
      uuid(value);
      break;
    case 'text':
      if (typeof value === 'string') utf8(value);
      else if (typeof value === 'number' || typeof value === 'bigint') utf8(String(value));
      else throw new ArrayElementError(type, value, 'not a string');
      break;
    case 'jsonb':
    case 'json': {
      const json = typeof value === 'string' ? value : JSON.stringify(value);
      if (json === undefined) throw new ArrayElementError(type, value, 'has no JSON form');
      // jsonb's binary form is a format version (1) and the text; json's is the text.
      utf8(json, type === 'jsonb' ? 1 : undefined);
      break;
    }
    case 'bytea':
      if (!(value instanceof Uint8Array)) throw new ArrayElementError(type, value, 'not a Buffer');
      int32(value.length);
      reserve(value.length);
      scratch.set(value, at);
      at += value.length;
      break;
    case 'int':
      int32(4);
      int32(integer(type, value));
      break;
    case 'bigint':
      int32(8);
      int64(integer(type, value));
      break;
    case 'timestamptz': {
      const ms = value instanceof Date ? value.getTime() : Number.NaN;
      if (Number.isNaN(ms)) throw new ArrayElementError(type, value, 'not a valid Date');
      int32(8);
      int64((ms - postgresEpochMs) * 1000);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ArrayElementError(type, value, 'not a boolean');
      int32(1);
      reserve(1);
      scratch[at++] = value ? 1 : 0;
      break;
    default: {
      const unknownType: never = type;
      throw new TypeError(`no binary encoding for ${String(unknownType)}`);
    }
  }
}

/** `values` as a binary `type[]` parameter; null and undefined are NULL elements. */
export function binaryArray(type: BinaryElementType, values: readonly unknown[]): Buffer {
  at = 0;
  int32(1);
  int32(0); // has nulls: set below
  int32(elementOids[type]);
  int32(values.length);
  int32(1);
  let hasNulls = false;
  for (const value of values) {
    if (value === null || value === undefined) {
      hasNulls = true;
      int32(-1);
    } else {
      element(type, value);
    }
  }
  if (hasNulls) scratch.writeInt32BE(1, 4);
  return Buffer.from(scratch.subarray(0, at));
}
