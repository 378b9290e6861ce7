/**
 * Confluent wire framing of a Kafka message value: magic byte 0, the schema id as a 4-byte
 * big-endian signed integer, then the Avro binary body. Pure.
 */
import { describeValue } from './error-descriptions.ts';
import { AvroDecodeError } from './errors.ts';

export const MAGIC_BYTE = 0;
/** Magic byte + 4-byte schema id. */
export const FRAME_HEADER_SIZE = 5;

/** A schema id fits the frame's 4-byte signed field and is not negative; else a RangeError. */
export function assertSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new RangeError(`invalid schema id: ${schemaId}`);
  }
}

/** Confluent framing: magic byte 0 + schema id (4 bytes, big-endian) + Avro body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  assertSchemaId(schemaId);
  const out = Buffer.allocUnsafe(FRAME_HEADER_SIZE + body.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  body.copy(out, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Reads a Confluent frame; `body` is a view of `buf` (no copy).
 * Throws AvroDecodeError `not_confluent_framed` when it is not one.
 */
export function unframe(buf: Buffer): { schemaId: number; body: Buffer } {
  if (!Buffer.isBuffer(buf)) {
    throw new AvroDecodeError('not_confluent_framed', `expected a Buffer, got ${describeValue(buf)}`);
  }
  if (buf.length < FRAME_HEADER_SIZE) {
    throw new AvroDecodeError(
      'not_confluent_framed',
      `message of ${buf.length} bytes is shorter than the ${FRAME_HEADER_SIZE}-byte Confluent header`,
    );
  }
  const magic = buf.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new AvroDecodeError(
      'not_confluent_framed',
      `magic byte is 0x${magic.toString(16).padStart(2, '0')}, expected 0x00 (Confluent wire format)`,
    );
  }
  const schemaId = buf.readInt32BE(1);
  if (schemaId < 0) {
    throw new AvroDecodeError('not_confluent_framed', `negative schema id ${schemaId} in Confluent header`);
  }
  return { schemaId, body: buf.subarray(FRAME_HEADER_SIZE) };
}
