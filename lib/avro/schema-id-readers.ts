/**
 * Which of our records each schema id decodes into, and through which resolver. The ids we
 * registered are known from the start; any other id (another version of one of our records,
 * written by an older or newer producer) is fetched from the registry once, resolved to our
 * schema and remembered. Ids that can never be decoded are remembered too.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Logger } from 'pino';
import type { RecordName } from '../contracts/generated.ts';
import type { AvroResolver, AvroType } from './avro-encoding.ts';
import { AvroDecodeError } from './errors.ts';
import type { RecordSchema } from './record-catalog.ts';
import { isTransient, registryFailure } from './registry-failures.ts';

/** How to decode the messages of one schema id. */
export interface SchemaIdReader {
  name: RecordName;
  /** Set when the writer schema differs from our current one (resolution is needed). */
  resolver: AvroResolver | undefined;
}

/** The registry call this needs (the client returns an avsc Type for an Avro schema). */
export type SchemaLookup = Pick<SchemaRegistry, 'getSchema'>;

export class SchemaIdReaders {
  /** Schema ids we can decode without the registry: ours, and those resolved once. */
  readonly known = new Map<number, SchemaIdReader>();
  /** Schema ids that are definitively not decodable (not our record, or not resolvable). */
  private readonly rejected = new Map<number, AvroDecodeError>();
  private readonly inflight = new Map<number, Promise<SchemaIdReader>>();
  private readonly byFullName: Map<string, RecordSchema>;
  private readonly registry: SchemaLookup;
  private readonly log: Logger | undefined;

  constructor(registry: SchemaLookup, records: Iterable<RecordSchema>, log?: Logger) {
    this.registry = registry;
    this.byFullName = new Map([...records].map((r) => [r.fullName, r]));
    this.log = log;
  }

  /** Remembers the reader of a schema id we registered ourselves. */
  learn(schemaId: number, reader: SchemaIdReader): void {
    this.known.set(schemaId, reader);
    this.rejected.delete(schemaId);
  }

  /**
   * The reader of `schemaId`, asking the registry when it is not known yet (one request per id
   * however many callers wait for it). Throws AvroDecodeError: `unknown_schema_id`,
   * `unknown_record`, `incompatible_schema`, or `registry_unavailable` (retriable).
   */
  async readerOf(schemaId: number): Promise<SchemaIdReader> {
    const known = this.known.get(schemaId);
    if (known) return known;
    const failed = this.rejected.get(schemaId);
    if (failed) throw failed;
    let pending = this.inflight.get(schemaId);
    if (!pending) {
      pending = this.fetchReader(schemaId)
        .then((reader) => {
          this.known.set(schemaId, reader);
          return reader;
        })
        .finally(() => this.inflight.delete(schemaId));
      this.inflight.set(schemaId, pending);
    }
    return pending;
  }

  private async fetchReader(schemaId: number): Promise<SchemaIdReader> {
    let writer: unknown;
    try {
      writer = await this.registry.getSchema(schemaId);
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
      if (failure.kind === 'local') this.rejected.set(schemaId, e); // definitive; an HTTP error may pass
      throw e;
    }
    // the client returns an avsc Type for Avro schemas (duck-typed: it may be another avsc copy)
    const writerType =
      typeof writer === 'object' && writer !== null && 'createResolver' in writer && 'fromBuffer' in writer
        ? (writer as AvroType)
        : undefined;
    const fullName = writerType?.name;
    const ours = fullName === undefined ? undefined : this.byFullName.get(fullName);
    if (!writerType || !ours) {
      const e = new AvroDecodeError(
        'unknown_record',
        `schema id ${schemaId} is ${fullName ? `record ${fullName}` : 'not an Avro record'}, which is not one of our records`,
        { schemaId, ...(fullName ? { writerFullName: fullName } : {}) },
      );
      this.rejected.set(schemaId, e);
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
        this.rejected.set(schemaId, e);
        throw e;
      }
    }
    this.log?.info(
      { schemaId, record: ours.name, resolved: resolver !== undefined },
      'learned schema id from registry',
    );
    return { name: ours.name, resolver };
  }
}
