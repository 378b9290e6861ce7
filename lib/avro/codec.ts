/**
 * Avro codec over the schema registry, shared by every service: the one object that encodes and
 * decodes every message (hot path), made of
 * - `confluent-framing.ts`: wire format, magic byte 0 + 4-byte big-endian schema id + Avro binary;
 * - `avro-encoding.ts`: encoding and decoding with a known avsc Type (pure);
 * - `record-catalog.ts`: our records of `schemas/<topic>/<Record>.avsc` with their Types;
 * - `record-registration.ts` and `schema-registration.ts`: each record registered under
 *   `<topic>-<record full name>` (topic-record-name strategy), BACKWARD, history first;
 * - `schema-id-readers.ts`: which record, through which resolver, each schema id decodes into.
 *
 * After `registerAll()`, `encode()` and the decoding of our own schema ids do no network round
 * trip. A schema id we did not register is fetched from the registry once and resolved to our
 * schema. Every failure is a typed error from `./errors.ts` with the original as `cause`.
 */
import type { Logger } from 'pino';
import type { RecordName, RecordPayloads, TypedRecord } from '../contracts/generated.ts';
import { type SchemaHistoryFile, schemaHistory } from '../contracts/schema-files.ts';
import { decodeWithType, encodeWithType } from './avro-encoding.ts';
import { unframe } from './confluent-framing.ts';
import { AvroEncodeError } from './errors.ts';
import { type RecordSchema, recordSchemas } from './record-catalog.ts';
import { registerRecords } from './record-registration.ts';
import { type SchemaIdReader, SchemaIdReaders } from './schema-id-readers.ts';
import { createRegistryClient } from './schema-registration.ts';

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

export function createAvroCodec(options: AvroCodecOptions): AvroCodec {
  const log = options.logger?.child({ component: 'avro-codec' });
  const client = createRegistryClient(options.registryUrl, log);
  const records = recordSchemas();
  const history = options.history ?? schemaHistory();

  const idByName = new Map<RecordName, number>();
  const readers = new SchemaIdReaders(client.registry, records.values(), log);
  /** The readers decode() finds without an await (the map itself, not a lookup through readers). */
  const knownReaders = readers.known;
  let registering: Promise<void> | undefined;

  function decodeBody(reader: SchemaIdReader, schemaId: number, body: Buffer): TypedRecord {
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
      registering ??= registerRecords({ client, records, history, ids: idByName, readers }).catch(
        (err: unknown) => {
          registering = undefined;
          throw err;
        },
      );
      return registering;
    },

    async encode<N extends RecordName>(type: N, payload: RecordPayloads[N]): Promise<Buffer> {
      const schemaId = schemaIdOf(type);
      const rec = records.get(type) as RecordSchema;
      return encodeWithType(rec.type, type, schemaId, payload);
    },

    async decode(buf: Buffer): Promise<TypedRecord> {
      const { schemaId, body } = unframe(buf);
      const known = knownReaders.get(schemaId);
      if (known) return decodeBody(known, schemaId, body);
      return decodeBody(await readers.readerOf(schemaId), schemaId, body);
    },

    schemaIdOf,
  };
}
