/**
 * Avro codec over the schema registry, shared by every service.
 *
 * - Schemas come from `schemas/<topic>/<Record>.avsc`; each is registered under the subject
 *   `<topic>-<record full name>` (topic-record-name strategy) with BACKWARD compatibility.
 * - Wire format: Confluent framing — magic byte 0, 4-byte big-endian schema id, Avro binary.
 * - After `registerAll()`, `encode()` and the decoding of our own schema ids do no network round
 *   trip. A schema id we did not register (another version of one of our records, written by an
 *   older or newer producer) is fetched from the registry once and resolved to our schema.
 * - Every failure is a typed error from `./errors.ts` with the original as `cause`.
 *
 * The pure parts (framing, encoding and decoding with a known avsc Type) are exported on their
 * own so they can be tested without a registry.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { Logger } from 'pino';
import {
  type RecordName,
  type RecordPayloads,
  recordFullNames,
  recordTopics,
  type TypedRecord,
} from '../contracts/generated.ts';
import {
  type SchemaFile,
  type SchemaHistoryFile,
  schemaFiles,
  schemaHistory,
} from '../contracts/schema-files.ts';
import { AvroDecodeError, AvroEncodeError, type InvalidField, SchemaRegistrationError } from './errors.ts';

type AvroType = avsc.Type;
type AvroResolver = ReturnType<AvroType['createResolver']>;

// ---------------------------------------------------------------------------------------------
// Pure part: framing, encoding and decoding with a known Type.

export const MAGIC_BYTE = 0;
/** Magic byte + 4-byte schema id. */
export const FRAME_HEADER_SIZE = 5;

/** A schema id fits the frame's 4-byte signed field and is not negative; else a RangeError. */
function assertSchemaId(schemaId: number): void {
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

/** Reads a Confluent frame. Throws AvroDecodeError `not_confluent_framed` when it is not one. */
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

function describeType(t: AvroType): string {
  const short = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
  if (t.typeName === 'enum') {
    const symbols = (t as unknown as { symbols: readonly string[] }).symbols;
    return `enum ${short(t.name ?? '')} (${symbols.join(' | ')})`;
  }
  if (t.name) return short(t.name);
  if (t.typeName.startsWith('union')) return JSON.stringify(t.schema());
  return t.typeName;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return `${typeof v} ${String(v)}`;
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// Catalog: our records, their schema text and avsc Types.

export interface RecordSchema extends SchemaFile {
  name: RecordName;
  type: AvroType;
}

const isRecordName = (name: string): name is RecordName => Object.hasOwn(recordTopics, name);

/**
 * Every record of `schemas/` with its avsc Type. Throws when the schema files and the generated
 * types disagree (run `npm run gen:types`).
 */
export function recordSchemas(files: readonly SchemaFile[] = schemaFiles()): Map<RecordName, RecordSchema> {
  const out = new Map<RecordName, RecordSchema>();
  for (const file of files) {
    const { name } = file;
    if (!isRecordName(name) || recordFullNames[name] !== file.fullName || recordTopics[name] !== file.topic) {
      throw new Error(`${file.file} does not match lib/contracts/generated.ts: run npm run gen:types`);
    }
    out.set(name, { ...file, name, type: avroTypeOf(file.schema) });
  }
  for (const name of Object.keys(recordTopics)) {
    if (!out.has(name as RecordName))
      throw new Error(`record ${name} has no schema file: run npm run gen:types`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Registry part.

export interface AvroCodecOptions {
  /** Confluent-compatible API, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  registryUrl: string;
  logger?: Logger;
  /** Earlier versions to register before the current ones (default: `schemas/<topic>/history/`). */
  history?: readonly SchemaHistoryFile[];
}

export interface AvroCodec {
  /**
   * Registers every schema of `schemas/` (BACKWARD), each record's history first in version order,
   * and caches the ids (an old version's id decodes into today's record). Idempotent.
   */
  registerAll(): Promise<void>;
  /** Avro-encodes and frames a payload. No network round trip (needs registerAll() first). */
  encode<N extends RecordName>(type: N, payload: RecordPayloads[N]): Promise<Buffer>;
  /** Decodes a framed message into `{ type, payload }`. */
  decode(buf: Buffer): Promise<TypedRecord>;
  /** The schema id registered for a record (after registerAll()). */
  schemaIdOf(type: RecordName): number;
}

interface Reader {
  name: RecordName;
  resolver: AvroResolver | undefined;
}

/**
 * What an error of the registry client means. HTTP errors are mappersmith ResponseErrors with
 * `status` and the message "<clientId> - <registry message>". The client reports a network
 * failure (connection refused, reset, DNS…) as a fake HTTP 400 whose body is the error text,
 * rendered as "Error, status 400: <text>" (a real 400 of the registry carries a JSON message).
 * Anything else was thrown locally (e.g. avsc could not parse a schema).
 */
function registryFailure(err: unknown): {
  kind: 'http' | 'network' | 'local';
  status?: number;
  message: string;
} {
  const raw = err instanceof Error ? err.message : String(err);
  const status =
    typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number'
      ? err.status
      : undefined;
  if (status === undefined) return { kind: 'local', message: raw };
  const message = raw.replace(/^[^ ]* - /, '');
  const network = /^Error, status 400: (.*)$/s.exec(message);
  if (status === 400 && network) return { kind: 'network', message: `registry unreachable: ${network[1]}` };
  return { kind: 'http', status, message };
}

const isTransient = (f: ReturnType<typeof registryFailure>): boolean =>
  f.kind === 'network' ||
  (f.status !== undefined && (f.status >= 500 || f.status === 408 || f.status === 429));

/** Wraps an error of `register()` into a SchemaRegistrationError. */
export function toRegistrationError(subject: string, err: unknown): SchemaRegistrationError {
  if (err instanceof SchemaRegistrationError) return err;
  const failure = registryFailure(err);
  const { status, message } = failure;
  const details = { cause: err, ...(status === undefined ? {} : { status }) };
  if (err instanceof Error && err.name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new SchemaRegistrationError(
      'compatibility_mismatch',
      subject,
      `${message}; our subjects need BACKWARD compatibility or stricter`,
      details,
    );
  }
  if (isTransient(failure))
    return new SchemaRegistrationError('registry_unavailable', subject, message, details);
  // a schema the client itself refuses (avsc cannot parse it, no name…) never reaches the registry
  if (failure.kind === 'local' || status === 422) {
    return new SchemaRegistrationError('invalid_schema', subject, message, details);
  }
  if (status === 409) return new SchemaRegistrationError('incompatible', subject, message, details);
  return new SchemaRegistrationError('registry_error', subject, message, details);
}

/** The registry client plus what registration needs beyond it. */
export interface RegistryClient {
  registry: SchemaRegistry;
  /** Base URL of the Confluent-compatible API, without a trailing slash. */
  url: string;
  logger?: Logger | undefined;
}

export function createRegistryClient(registryUrl: string, logger?: Logger): RegistryClient {
  const url = registryUrl.replace(/\/+$/, '');
  return { registry: new SchemaRegistry({ host: url, clientId: 'ordersaga' }), url, logger };
}

/** Compatibility levels that check at least what BACKWARD checks. */
const atLeastBackward = new Set(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE']);

/**
 * Registers one Avro schema under `subject` with BACKWARD compatibility; returns its id.
 * `schemaText` is sent as is: the registry matches content byte for byte, so other bytes for the
 * same schema would make a new version. Throws SchemaRegistrationError.
 *
 * The client refuses to register unless the subject's compatibility level equals the one it is
 * given. Apicurio reports `NONE` for a subject that has no rule of its own, even when the global
 * rule is BACKWARD (e.g. a subject created by another client, or when a crash hit between the
 * client's first registration and its PUT /config). Such a subject is set to BACKWARD; a subject
 * with a stricter level (FULL, …_TRANSITIVE) is registered under that level; any other level
 * (FORWARD…) is a `compatibility_mismatch` error.
 */
export async function registerSchema(
  client: RegistryClient,
  subject: string,
  schemaText: string,
): Promise<number> {
  const attempt = async (compatibility: COMPATIBILITY): Promise<number> => {
    // Sibling services starting together on a fresh registry race to create the subject's rule
    // (the client PUTs /config after a first registration): the loser is told the rule already
    // exists, which means the subject is set up — register again.
    for (let round = 1; ; round++) {
      try {
        const { id } = await client.registry.register(
          { type: SchemaType.AVRO, schema: schemaText },
          { subject, compatibility },
        );
        return id;
      } catch (err) {
        const ruleRace =
          err instanceof Error && /rule named 'COMPATIBILITY' already exists/.test(err.message);
        if (!ruleRace || round >= 3) throw err;
        client.logger?.debug(
          { subject },
          'compatibility rule created concurrently by another client; registering again',
        );
      }
    }
  };
  try {
    return await attempt(COMPATIBILITY.BACKWARD);
  } catch (err) {
    const level =
      err instanceof Error && err.name === 'ConfluentSchemaRegistryCompatibilityError'
        ? /!= (\w+)\)/.exec(err.message)?.[1]
        : undefined;
    if (level === undefined) throw toRegistrationError(subject, err);
    try {
      if (atLeastBackward.has(level)) return await attempt(level as COMPATIBILITY);
      if (level !== 'NONE') throw err;
      client.logger?.warn(
        { subject },
        'subject has no compatibility rule of its own (NONE): setting it to BACKWARD',
      );
      const res = await fetch(`${client.url}/config/${encodeURIComponent(subject)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility: COMPATIBILITY.BACKWARD }),
      }).catch((cause: unknown) => {
        throw new SchemaRegistrationError(
          'registry_unavailable',
          subject,
          `PUT /config failed: ${String(cause)}`,
          {
            cause,
          },
        );
      });
      // 409 "rule already exists": another client (a sibling service starting at the same time on a
      // fresh registry) set the subject's rule between our read and our write; the retry below
      // checks that it is BACKWARD.
      if (!res.ok && res.status !== 409) {
        const body = await res.text().catch(() => '');
        throw new SchemaRegistrationError(
          res.status >= 500 ? 'registry_unavailable' : 'registry_error',
          subject,
          `PUT /config answered ${res.status}: ${body}`,
          { status: res.status },
        );
      }
      return await attempt(COMPATIBILITY.BACKWARD);
    } catch (retryErr) {
      throw toRegistrationError(subject, retryErr);
    }
  }
}

export function createAvroCodec(options: AvroCodecOptions): AvroCodec {
  const log = options.logger?.child({ component: 'avro-codec' });
  const client = createRegistryClient(options.registryUrl, log);
  const { registry } = client;
  const records = recordSchemas();
  const byFullName = new Map<string, RecordSchema>([...records.values()].map((r) => [r.fullName, r]));

  const idByName = new Map<RecordName, number>();
  /** Schema ids we can decode without the registry: ours, and those resolved once. */
  const readers = new Map<number, Reader>();
  /** Schema ids that are definitively not decodable (not our record, or not resolvable). */
  const rejected = new Map<number, AvroDecodeError>();
  const inflight = new Map<number, Promise<Reader>>();
  let registering: Promise<void> | undefined;

  const history = options.history ?? schemaHistory();

  /** A record's earlier versions in order (each id learnt with its resolver), then the current one. */
  async function registerVersions(rec: RecordSchema): Promise<number> {
    for (const old of history) {
      if (old.subject !== rec.subject) continue;
      const id = await registerSchema(client, old.subject, old.schemaText);
      if (!readers.has(id)) readers.set(id, { name: rec.name, resolver: resolverOf(rec, old, id) });
    }
    return registerSchema(client, rec.subject, rec.schemaText);
  }

  async function doRegisterAll(): Promise<void> {
    const list = [...records.values()];
    const results = await Promise.allSettled(list.map(registerVersions));
    const failures: SchemaRegistrationError[] = [];
    results.forEach((res, i) => {
      const rec = list[i] as RecordSchema;
      if (res.status === 'fulfilled') {
        idByName.set(rec.name, res.value);
        readers.set(res.value, { name: rec.name, resolver: undefined });
        rejected.delete(res.value);
        log?.debug({ subject: rec.subject, schemaId: res.value }, 'schema registered');
      } else {
        const err = toRegistrationError(rec.subject, res.reason);
        failures.push(err);
        log?.error({ subject: rec.subject, reason: err.reason, err }, 'schema registration failed');
      }
    });
    if (failures.length > 0) throw failures[0];
    log?.info({ schemas: list.length }, 'all schemas registered');
  }

  function resolverOf(rec: RecordSchema, old: SchemaHistoryFile, schemaId: number): AvroResolver {
    try {
      return rec.type.createResolver(avroTypeOf(old.schema));
    } catch (err) {
      throw new SchemaRegistrationError(
        'incompatible',
        old.subject,
        `${old.file} (schema id ${schemaId}) cannot be read with the current ${rec.file}`,
        { cause: err },
      );
    }
  }

  async function fetchReader(schemaId: number): Promise<Reader> {
    let writer: unknown;
    try {
      writer = await registry.getSchema(schemaId);
    } catch (err) {
      const failure = registryFailure(err);
      if (failure.status === 404) {
        throw new AvroDecodeError('unknown_schema_id', `schema id ${schemaId} is unknown to the registry`, {
          schemaId,
          cause: err,
        });
      }
      if (isTransient(failure)) {
        const message = `could not fetch schema id ${schemaId}: ${failure.message}`;
        throw new AvroDecodeError('registry_unavailable', message, { schemaId, cause: err });
      }
      // anything else: e.g. a schema the client cannot parse, or another HTTP error
      const message = `schema id ${schemaId} is not one of our Avro records: ${failure.message}`;
      const e = new AvroDecodeError('unknown_record', message, { schemaId, cause: err });
      if (failure.kind === 'local') rejected.set(schemaId, e); // definitive; an HTTP error may pass
      throw e;
    }
    // the client returns an avsc Type for Avro schemas (duck-typed: it may be another avsc copy)
    const writerType =
      typeof writer === 'object' && writer !== null && 'createResolver' in writer && 'fromBuffer' in writer
        ? (writer as AvroType)
        : undefined;
    const fullName = writerType?.name;
    const ours = fullName === undefined ? undefined : byFullName.get(fullName);
    if (!writerType || !ours) {
      const e = new AvroDecodeError(
        'unknown_record',
        `schema id ${schemaId} is ${fullName ? `record ${fullName}` : 'not an Avro record'}, which is not one of our records`,
        { schemaId, ...(fullName ? { writerFullName: fullName } : {}) },
      );
      rejected.set(schemaId, e);
      throw e;
    }
    let resolver: AvroResolver | undefined;
    if (!ours.type.equals(writerType)) {
      try {
        resolver = ours.type.createResolver(writerType);
      } catch (err) {
        const e = new AvroDecodeError(
          'incompatible_schema',
          `schema id ${schemaId} (${fullName}) cannot be resolved to our schema of ${ours.name}`,
          { schemaId, writerFullName: ours.fullName, cause: err },
        );
        rejected.set(schemaId, e);
        throw e;
      }
    }
    log?.info(
      { schemaId, record: ours.name, resolved: resolver !== undefined },
      'learned schema id from registry',
    );
    return { name: ours.name, resolver };
  }

  async function readerOf(schemaId: number): Promise<Reader> {
    const known = readers.get(schemaId);
    if (known) return known;
    const failed = rejected.get(schemaId);
    if (failed) throw failed;
    let pending = inflight.get(schemaId);
    if (!pending) {
      pending = fetchReader(schemaId)
        .then((reader) => {
          readers.set(schemaId, reader);
          return reader;
        })
        .finally(() => inflight.delete(schemaId));
      inflight.set(schemaId, pending);
    }
    return pending;
  }

  function decodeBody(reader: Reader, schemaId: number, body: Buffer): TypedRecord {
    const rec = records.get(reader.name) as RecordSchema;
    const payload = decodeWithType(rec.type, body, {
      schemaId,
      ...(reader.resolver ? { resolver: reader.resolver } : {}),
    });
    return { type: reader.name, payload } as TypedRecord;
  }

  function schemaIdOf(type: RecordName): number {
    const id = idByName.get(type);
    if (id === undefined) {
      throw new AvroEncodeError(
        'not_registered',
        type,
        records.has(type)
          ? `${type} has no schema id yet: call registerAll() before encoding`
          : `${String(type)} is not a known record`,
      );
    }
    return id;
  }

  return {
    registerAll(): Promise<void> {
      registering ??= doRegisterAll().catch((err: unknown) => {
        registering = undefined;
        throw err;
      });
      return registering;
    },

    async encode<N extends RecordName>(type: N, payload: RecordPayloads[N]): Promise<Buffer> {
      const schemaId = schemaIdOf(type);
      const rec = records.get(type) as RecordSchema;
      return encodeWithType(rec.type, type, schemaId, payload);
    },

    async decode(buf: Buffer): Promise<TypedRecord> {
      const { schemaId, body } = unframe(buf);
      const known = readers.get(schemaId);
      if (known) return decodeBody(known, schemaId, body);
      return decodeBody(await readerOf(schemaId), schemaId, body);
    },

    schemaIdOf,
  };
}
