/**
 * The text of the contracts index, `lib/contracts/generated.ts`: it re-exports every topic's
 * module and holds the tables of every record (topic, full name, payload type), the enum symbols
 * and the types derived from them (RecordName, TypedRecord, one union per topic…).
 */
import { arrayProperty, generatedHeader, pascalCase, propKey, quote } from './codegen-syntax.ts';
import type { SchemaFile } from './schema-files.ts';

export interface ContractsIndex {
  records: readonly Pick<SchemaFile, 'name' | 'fullName' | 'topic'>[];
  /** Every topic with a module, in schema order. */
  topics: readonly string[];
  /** The topic whose module declares a type (by short name). */
  topicOfType: (name: string) => string;
  enums: readonly { name: string; symbols: readonly string[] }[];
}

/** A topic's module as the index imports it. */
const topicModule = (topic: string): string => `./generated/${topic}.ts`;

export function renderContractsIndex({ records, topics, topicOfType, enums }: ContractsIndex): string {
  const sources = [...topics].sort();
  const payloadType = (name: string): string => `${pascalCase(topicOfType(name))}.${name}`;
  const out: string[] = [
    generatedHeader,
    '',
    ...sources.map((t) => `import type * as ${pascalCase(t)} from '${topicModule(t)}';`),
    '',
    ...sources.map((t) => `export type * from '${topicModule(t)}';`),
    '',
    '/** Symbols of every Avro enum (they are also the HTTP vocabulary). */',
    'export const enumSymbols = {',
    ...enums.flatMap((e) => arrayProperty(e.name, e.symbols.map(quote), '  ')),
    '} as const;',
    '',
    '/** Topic of every record (record short name → topic). */',
    'export const recordTopics = {',
    ...records.map((r) => `  ${propKey(r.name)}: ${quote(r.topic)},`),
    '} as const;',
    '',
    '/** Avro full name of every record. */',
    'export const recordFullNames = {',
    ...records.map((r) => `  ${propKey(r.name)}: ${quote(r.fullName)},`),
    '} as const;',
    '',
    '/** Payload type of every record. */',
    'export interface RecordPayloads {',
    ...records.map((r) => `  ${propKey(r.name)}: ${payloadType(r.name)};`),
    '}',
    '',
    'export type RecordName = keyof RecordPayloads;',
    '',
    '/** Every record name, in schema order. */',
    'export const recordNames = Object.keys(recordTopics) as RecordName[];',
    '',
    '/** Every topic that carries at least one record. */',
    'export type ContractTopic = (typeof recordTopics)[RecordName];',
    '',
    '/** Topic of a record. */',
    'export type TopicOf<N extends RecordName> = (typeof recordTopics)[N];',
    '',
    '/** Names of the records whose topic is T. */',
    'export type RecordsOfTopic<T extends string> = {',
    '  [K in RecordName]: (typeof recordTopics)[K] extends T ? K : never;',
    '}[RecordName];',
    '',
    '/** A decoded record: its name as discriminant, and its payload. */',
    'export type TypedRecord<N extends RecordName = RecordName> = {',
    '  [K in N]: { type: K; payload: RecordPayloads[K] };',
    '}[N];',
    '',
    '/** Union of the typed records that travel on topic T. */',
    'export type TypedRecordOfTopic<T extends string> = TypedRecord<RecordsOfTopic<T>>;',
  ];
  for (const topic of topics) {
    out.push(
      '',
      `/** Records on \`${topic}\`. */`,
      `export type ${pascalCase(topic)}Record = TypedRecordOfTopic<${quote(topic)}>;`,
    );
  }
  return `${out.join('\n')}\n`;
}
