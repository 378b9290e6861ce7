/**
 * Registers every record of the catalog under its subject: first its earlier versions
 * (`schemas/<topic>/history/`, in version order), then the current one. The current ids are what
 * we encode with; every id, old ones included, is learnt as a reader so messages written with it
 * decode without asking the registry.
 */
import type { RecordName } from '../contracts/generated.ts';
import type { SchemaHistoryFile } from '../contracts/schema-files.ts';
import { type AvroResolver, avroTypeOf } from './avro-encoding.ts';
import { SchemaRegistrationError } from './errors.ts';
import type { RecordSchema } from './record-catalog.ts';
import { toRegistrationError } from './registry-failures.ts';
import type { SchemaIdReaders } from './schema-id-readers.ts';
import { type RegistryClient, registerSchema } from './schema-registration.ts';

export interface RecordRegistration {
  client: RegistryClient;
  records: ReadonlyMap<RecordName, RecordSchema>;
  history: readonly SchemaHistoryFile[];
  /** Receives the id of every record's current schema. */
  ids: Map<RecordName, number>;
  /** Learns every registered id, earlier versions with their resolver. */
  readers: SchemaIdReaders;
}

/**
 * Registers every record (concurrently). Records that succeed keep their ids even when another
 * fails; then the first failure is thrown as a SchemaRegistrationError.
 */
export async function registerRecords({
  client,
  records,
  history,
  ids,
  readers,
}: RecordRegistration): Promise<void> {
  const log = client.logger;
  const list = [...records.values()];
  const results = await Promise.allSettled(
    list.map((rec) => registerVersions(client, rec, history, readers)),
  );
  const failures: SchemaRegistrationError[] = [];
  results.forEach((res, i) => {
    const rec = list[i] as RecordSchema;
    if (res.status === 'fulfilled') {
      ids.set(rec.name, res.value);
      readers.learn(res.value, { name: rec.name, resolver: undefined });
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

/** A record's earlier versions in order (each id learnt with its resolver), then the current one. */
async function registerVersions(
  client: RegistryClient,
  rec: RecordSchema,
  history: readonly SchemaHistoryFile[],
  readers: SchemaIdReaders,
): Promise<number> {
  for (const old of history) {
    if (old.subject !== rec.subject) continue;
    const id = await registerSchema(client, old.subject, old.schemaText);
    if (!readers.known.has(id)) readers.learn(id, { name: rec.name, resolver: resolverOf(rec, old, id) });
  }
  return registerSchema(client, rec.subject, rec.schemaText);
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
