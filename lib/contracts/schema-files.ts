/**
 * The Avro contracts in `schemas/<topic>/<RecordName>.avsc`, loaded at runtime.
 *
 * The folder name is the topic; subjects follow the topic-record-name strategy
 * (`<topic>-<record full name>`). `schemaText` is the file parsed and re-stringified once
 * (compact JSON, key order kept): registration and lookup send exactly these bytes, which
 * matters because registries match schemas by a hash of the raw content.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

let cached: readonly SchemaFile[] | undefined;

/** The project's schema files, loaded once per process. */
export function schemaFiles(): readonly SchemaFile[] {
  cached ??= Object.freeze(loadSchemaFiles());
  return cached;
}
