/**
 * Avro encoding and decoding of one payload with a known avsc Type, no registry involved:
 * `encodeWithType` writes the Confluent frame too, `decodeWithType` reads a body already unframed.
 * Pure apart from one reused encoding buffer. Every message goes through here (hot path).
 */
import avsc from 'avsc';
import { assertSchemaId, FRAME_HEADER_SIZE, MAGIC_BYTE } from './confluent-framing.ts';
import { describeType, describeValue } from './error-descriptions.ts';
import { AvroDecodeError, AvroEncodeError, type InvalidField } from './errors.ts';

export type AvroType = avsc.Type;
/** Reads data written with another (compatible) schema into a Type's own shape. */
export type AvroResolver = ReturnType<AvroType['createResolver']>;

/** Builds the avsc Type of one self-contained schema (its own name registry). */
export function avroTypeOf(schema: unknown): AvroType {
  return avsc.Type.forSchema(schema as avsc.Schema);
}

/** The values of `payload` that do not match `type`, with their paths (avsc's errorHook). */
export function invalidFields(type: AvroType, payload: unknown): InvalidField[] {
  const fields: InvalidField[] = [];
  type.isValid(payload, {
    errorHook: (path, val, t) =>
      fields.push({ path: path.join('.'), expected: describeType(t), got: describeValue(val) }),
  });
  return fields;
}

/**
 * Encodes `payload` with `type` and frames it with `schemaId`. Pure.
 * Throws AvroEncodeError `invalid_payload` naming the record and every failing field path.
 */
export function encodeWithType(type: AvroType, record: string, schemaId: number, payload: unknown): Buffer {
  assertSchemaId(schemaId);
  let end: number;
  try {
    end = encodeAfterHeader(type, payload);
  } catch (err) {
    const fields = invalidFields(type, payload);
    const detail =
      fields.length > 0
        ? fields.map((f) => `${f.path || '<root>'}: expected ${f.expected}, got ${f.got}`).join('; ')
        : err instanceof Error
          ? err.message
          : String(err);
    throw new AvroEncodeError(
      'invalid_payload',
      record,
      `${record} payload does not match its schema: ${detail}`,
      {
        fields,
        cause: err,
      },
    );
  }
  // One allocation of the exact size (from node's pool when small), not avsc's zero-filled
  // toBuffer plus the frame's copy of it (bench/avro-encoding.ts, now in git history).
  const out = Buffer.allocUnsafe(end);
  encodeScratch.copy(out, 0, 0, end);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  return out;
}

/** Where payloads are encoded, after room for the frame header; grows to the largest payload seen. */
let encodeScratch = Buffer.allocUnsafe(16 * 1024);

/** Encodes `payload` into encodeScratch at FRAME_HEADER_SIZE; returns where it ends. */
function encodeAfterHeader(type: AvroType, payload: unknown): number {
  for (;;) {
    const end = type.encode(payload, encodeScratch, FRAME_HEADER_SIZE);
    if (end > 0) return end;
    // avsc returns minus the bytes missing when the buffer was too small
    encodeScratch = Buffer.allocUnsafe(Math.max(2 * encodeScratch.length, encodeScratch.length - end));
  }
}

/**
 * Decodes an Avro body (without the frame) with `type`; with `resolver` when the writer schema
 * differs from `type`. Returns plain objects (no avsc record classes). Pure.
 * Throws AvroDecodeError `invalid_avro` on truncated, trailing or otherwise invalid bytes.
 */
export function decodeWithType(
  type: AvroType,
  body: Buffer,
  context: { schemaId?: number; resolver?: AvroResolver } = {},
): unknown {
  try {
    return toPlain(type.fromBuffer(body, context.resolver));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new AvroDecodeError(
      'invalid_avro',
      `invalid Avro body for ${type.name ?? type.typeName}: ${message}`,
      {
        ...(context.schemaId === undefined ? {} : { schemaId: context.schemaId }),
        ...(type.name === undefined ? {} : { writerFullName: type.name }),
        cause: err,
      },
    );
  }
}

/** Deep copy of a decoded value with plain objects instead of avsc's generated record classes. */
function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
  return out;
}
