/**
 * The Avro contracts in `schemas/<topic>/<RecordName>.avsc`, loaded at runtime.
 *
 * The folder name is the topic; subjects follow the topic-record-name strategy
 * (`<topic>-<record full name>`). `schemaText` is the file parsed and re-stringified once
 * (compact JSON, key order kept): registration and lookup send exactly these bytes, which
 * matters because registries match schemas by a hash of the raw content.
 *
 * Earlier versions of a record live in `schemas/<topic>/history/<RecordName>.v<N>.avsc` (N from 1):
 * the codec registers them under the record's subject in version order before the current file,
 * so a registry holds every version (BACKWARD checks each against the one before) and messages
 * written with an old version's schema id still decode. Codegen reads only the current files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { businessTopics } from '../kafka/topics.ts';

export interface SchemaFile {
  /** Record short name, e.g. `ReserveStock` (= the file name without `.avsc`). */
  name: string;
  /** Record full name, e.g. `ordersaga.inventory.ReserveStock`. */
  fullName: string;
  /** Topic the record travels on (= the folder name). */
  topic: string;
  /** Registry subject: `${topic}-${fullName}`. */
  subject: string;
  /** Canonical schema text: `JSON.stringify(JSON.parse(fileContent))`. */
  schemaText: string;
  /** The parsed schema (same content as `schemaText`). */
  schema: Record<string, unknown>;
  /** Path relative to the repository root, e.g. `schemas/inventory-commands/ReserveStock.avsc`. */
  file: string;
}

/** Repository root (this file is `<root>/lib/contracts/schema-files.ts`). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));
export const schemasDir: string = path.join(repoRoot, 'schemas');

export const subjectOf = (topic: string, fullName: string): string => `${topic}-${fullName}`;

/** Parses one schema file's content; pure. Throws an Error naming the file when it breaks a convention. */
export function parseSchemaFile(topic: string, fileName: string, content: string): SchemaFile {
  const file = `schemas/${topic}/${fileName}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (err) {
    throw new Error(`${file}: not valid JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a JSON object`);
  }
  const schema = parsed as Record<string, unknown>;
  const name = fileName.replace(/\.avsc$/, '');
  if (schema.type !== 'record') throw new Error(`${file}: top-level type must be "record"`);
  if (schema.name !== name)
    throw new Error(`${file}: record name ${String(schema.name)} must equal the file name`);
  if (typeof schema.namespace !== 'string' || !schema.namespace.startsWith('ordersaga.')) {
    throw new Error(`${file}: namespace must start with "ordersaga."`);
  }
  const fullName = `${schema.namespace}.${name}`;
  return {
    name,
    fullName,
    topic,
    subject: subjectOf(topic, fullName),
    schemaText: JSON.stringify(schema),
    schema,
    file,
  };
}

/**
 * Reads every `schemas/<topic>/*.avsc` (sync: it runs once at startup). Order is deterministic:
 * topics in the order of `lib/kafka/topics.ts`, records by name. A folder that is not a known
 * topic, or a record name used twice, is an error.
 */
export function loadSchemaFiles(dir: string = schemasDir): SchemaFile[] {
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const known = new Set<string>(businessTopics);
  for (const folder of folders) {
    if (!known.has(folder))
      throw new Error(`schemas/${folder}: folder is not a topic of lib/kafka/topics.ts`);
  }
  const out: SchemaFile[] = [];
  for (const topic of businessTopics) {
    if (!folders.includes(topic)) continue;
    const files = readdirSync(path.join(dir, topic))
      .filter((f) => f.endsWith('.avsc'))
      .sort();
    for (const f of files)
      out.push(parseSchemaFile(topic, f, readFileSync(path.join(dir, topic, f), 'utf8')));
  }
  const seen = new Map<string, string>();
  for (const s of out) {
    const other = seen.get(s.name);
    if (other) throw new Error(`record name ${s.name} is used twice: ${other} and ${s.file}`);
    seen.set(s.name, s.file);
  }
  return out;
}

/** An earlier version of a record: `schemas/<topic>/history/<RecordName>.v<N>.avsc`. */
export interface SchemaHistoryFile extends SchemaFile {
  /** 1 for the first version; the current file is the version after the highest one here. */
  version: number;
}

const historyFileName = /^([A-Za-z]+)\.v([1-9][0-9]*)\.avsc$/;

/**
 * Reads every `schemas/<topic>/history/*.avsc`, sorted by subject and version. A file whose name is not `<Record>.v<N>.avsc`, a record without a current file, or
 * versions that do not run 1, 2, … is an error.
 */
export function loadSchemaHistory(
  dir: string = schemasDir,
  current: readonly SchemaFile[] = loadSchemaFiles(dir),
): SchemaHistoryFile[] {
  const out: SchemaHistoryFile[] = [];
  for (const topic of businessTopics) {
    const folder = path.join(dir, topic, 'history');
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).sort()) {
      const match = historyFileName.exec(f);
      if (!match) throw new Error(`schemas/${topic}/history/${f}: name must be <Record>.v<N>.avsc`);
      const [, name = '', version = ''] = match;
      const parsed = parseSchemaFile(topic, `${name}.avsc`, readFileSync(path.join(folder, f), 'utf8'));
      const file = `schemas/${topic}/history/${f}`;
      if (!current.some((c) => c.subject === parsed.subject))
        throw new Error(`${file}: no current schemas/${topic}/${name}.avsc`);
      out.push({ ...parsed, file, version: Number(version) });
    }
  }
  out.sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  out.forEach((h, i) => {
    const previous = out[i - 1];
    const expected = previous?.subject === h.subject ? previous.version + 1 : 1;
    if (h.version !== expected) throw new Error(`${h.file}: expected version ${expected} of ${h.name}`);
  });
  return out;
}

let cached: readonly SchemaFile[] | undefined;
let cachedHistory: readonly SchemaHistoryFile[] | undefined;

/** The project's earlier schema versions, loaded once per process. */
export function schemaHistory(): readonly SchemaHistoryFile[] {
  cachedHistory ??= Object.freeze(loadSchemaHistory(schemasDir, schemaFiles()));
  return cachedHistory;
}

/** The project's schema files, loaded once per process. */
export function schemaFiles(): readonly SchemaFile[] {
  cached ??= Object.freeze(loadSchemaFiles());
  return cached;
}
