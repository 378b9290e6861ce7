/**
 * Typed errors of the Avro codec. No raw library error (avsc, schema registry client, HTTP)
 * leaves the codec: it is wrapped in one of these, with the original as `cause`.
 */

/**
 * Why a message could not be decoded.
 * - `not_confluent_framed`: shorter than 5 bytes or magic byte ≠ 0 (not Confluent wire format);
 * - `unknown_schema_id`: the registry does not know the schema id;
 * - `unknown_record`: the schema exists but is not one of our records (or not Avro);
 * - `incompatible_schema`: the writer schema is one of our records but cannot be resolved to ours;
 * - `invalid_avro`: the Avro body is truncated, has trailing bytes or does not match the schema;
 * - `registry_unavailable`: the registry could not be asked (network, 5xx) — transient, retry
 *   rather than dead-letter.
 */
export type AvroDecodeErrorReason =
  | 'not_confluent_framed'
  | 'unknown_schema_id'
  | 'unknown_record'
  | 'incompatible_schema'
  | 'invalid_avro'
  | 'registry_unavailable';

export class AvroDecodeError extends Error {
  override readonly name = 'AvroDecodeError';
  readonly reason: AvroDecodeErrorReason;
  /** Schema id read from the frame, when the frame could be read. */
  readonly schemaId: number | undefined;
  /** Record full name of the writer schema, when known. */
  readonly writerFullName: string | undefined;

  constructor(
    reason: AvroDecodeErrorReason,
    message: string,
    details: { schemaId?: number; writerFullName?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.schemaId = details.schemaId;
    this.writerFullName = details.writerFullName;
  }

  /** True when retrying may help (registry down); false when the message itself is bad. */
  get retriable(): boolean {
    return this.reason === 'registry_unavailable';
  }
}

/** One value of a payload that does not match its schema. */
export interface InvalidField {
  /** Dotted path of the field, e.g. `items.0.quantity` (empty for the root value). */
  path: string;
  /** Avro type expected there, e.g. `int`, `string`, `["null","string"]`. */
  expected: string;
  /** Short description of the value found, e.g. `undefined`, `number 1.5`. */
  got: string;
}

/**
 * Why a payload could not be encoded.
 * - `invalid_payload`: the payload does not match the record's schema (see `fields`);
 * - `not_registered`: encode() was called for a record before registerAll() gave it an id.
 */
export type AvroEncodeErrorReason = 'invalid_payload' | 'not_registered';

export class AvroEncodeError extends Error {
  override readonly name = 'AvroEncodeError';
  readonly reason: AvroEncodeErrorReason;
  /** Record short name, e.g. `ReserveStock`. */
  readonly record: string;
  /** The values that failed validation (empty when avsc could not say). */
  readonly fields: readonly InvalidField[];

  constructor(
    reason: AvroEncodeErrorReason,
    record: string,
    message: string,
    details: { fields?: readonly InvalidField[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.record = record;
    this.fields = details.fields ?? [];
  }
}

/**
 * Why a schema could not be registered.
 * - `incompatible`: the registry rejected the schema as incompatible with the subject's
 *   earlier versions (HTTP 409);
 * - `compatibility_mismatch`: the subject's compatibility level is not the one we require;
 * - `invalid_schema`: the registry rejected the schema as malformed (HTTP 422);
 * - `registry_unavailable`: network error or HTTP 5xx;
 * - `registry_error`: any other answer.
 */
export type SchemaRegistrationErrorReason =
  | 'incompatible'
  | 'compatibility_mismatch'
  | 'invalid_schema'
  | 'registry_unavailable'
  | 'registry_error';

export class SchemaRegistrationError extends Error {
  override readonly name = 'SchemaRegistrationError';
  readonly reason: SchemaRegistrationErrorReason;
  readonly subject: string;
  /** The registry's own message (or the client's, when the registry was not reached). */
  readonly registryMessage: string;
  /** HTTP status of the registry's answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    reason: SchemaRegistrationErrorReason,
    subject: string,
    registryMessage: string,
    details: { status?: number; cause?: unknown } = {},
  ) {
    super(
      `schema registration failed for subject ${subject} (${reason}): ${registryMessage}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.reason = reason;
    this.subject = subject;
    this.registryMessage = registryMessage;
    this.status = details.status;
  }
}
