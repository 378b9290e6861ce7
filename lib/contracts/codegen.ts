/**
 * Generates `lib/contracts/generated.ts` (TypeScript types of the Avro contracts) from the
 * schema files. Pure: schema files in, module text out. Used by `npm run gen:types` and by the
 * unit test that keeps the committed file from drifting.
 */
import type { SchemaFile } from './schema-files.ts';

export const generatedHeader = '// generated from schemas/ by npm run gen:types — do not edit';

type SchemaInput = Pick<SchemaFile, 'name' | 'fullName' | 'topic' | 'schema' | 'file'>;

interface NamedDef {
  fullName: string;
  /** The definition as JSON, to check that every file inlines the same one. */
  canonical: string;
  definedIn: string;
}

const LINE_WIDTH = 110;

const primitives: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const isIdentifier = (s: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);

const propKey = (s: string): string => (isIdentifier(s) ? s : quote(s));

function docComment(doc: unknown, indent: string): string[] {
  if (typeof doc !== 'string' || doc.trim() === '') return [];
  const lines = doc.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l.trimEnd()}`.trimEnd()), `${indent} */`];
}

/** `export type X = A | B;` on one line, or one member per line when too long (like biome/prettier). */
function unionAlias(name: string, members: string[]): string[] {
  const oneLine = `export type ${name} = ${members.join(' | ')};`;
  if (oneLine.length <= LINE_WIDTH) return [oneLine];
  return [
    `export type ${name} =`,
    ...members.map((m, i) => `  | ${m}${i === members.length - 1 ? ';' : ''}`),
  ];
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${where}: expected an object`);
  return v as Record<string, unknown>;
}

class Generator {
  private readonly named = new Map<string, NamedDef>();
  private readonly fullToShort = new Map<string, string>();
  private readonly blocks: string[][] = [];
  readonly enums: { name: string; symbols: string[] }[] = [];
  private file = '';
  /** Full names defined so far in the current file: a file may only reference its own types. */
  private inFile = new Set<string>();

  /** Declares a top-level record (and, depth first, every named type it inlines). */
  addRecord(input: SchemaInput): void {
    this.file = input.file;
    this.inFile = new Set();
    this.typeOf(input.schema, '');
  }

  render(inputs: readonly SchemaInput[]): string {
    const out: string[] = [generatedHeader, ''];
    for (const block of this.blocks) out.push(...block, '');
    out.push(
      '/** Symbols of every Avro enum (they are also the HTTP vocabulary). */',
      'export const enumSymbols = {',
      ...this.enums.map((e) => `  ${e.name}: [${e.symbols.map(quote).join(', ')}],`),
      '} as const;',
      '',
      '/** Topic of every record (record short name → topic). */',
      'export const recordTopics = {',
      ...inputs.map((i) => `  ${propKey(i.name)}: ${quote(i.topic)},`),
      '} as const;',
      '',
      '/** Avro full name of every record. */',
      'export const recordFullNames = {',
      ...inputs.map((i) => `  ${propKey(i.name)}: ${quote(i.fullName)},`),
      '} as const;',
      '',
      '/** Payload type of every record. */',
      'export interface RecordPayloads {',
      ...inputs.map((i) => `  ${propKey(i.name)}: ${i.name};`),
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
    );
    const topics = [...new Set(inputs.map((i) => i.topic))];
    for (const topic of topics) {
      const alias = `${topic
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0]?.toUpperCase() + w.slice(1))
        .join('')}Record`;
      out.push(
        '',
        `/** Records on \`${topic}\`. */`,
        `export type ${alias} = TypedRecordOfTopic<${quote(topic)}>;`,
      );
    }
    return `${out.join('\n')}\n`;
  }

  private typeOf(schema: unknown, namespace: string): string {
    if (typeof schema === 'string') {
      const prim = primitives[schema];
      if (prim) return prim;
      const full = schema.includes('.') || namespace === '' ? schema : `${namespace}.${schema}`;
      const key = this.inFile.has(full) ? full : schema;
      const short = this.inFile.has(key) ? this.fullToShort.get(key) : undefined;
      if (!short)
        throw new Error(`${this.file}: unknown type reference ${schema} (files must be self-contained)`);
      return short;
    }
    if (Array.isArray(schema)) {
      const members = [...new Set(schema.map((s) => this.typeOf(s, namespace)))];
      const nonNull = members.filter((m) => m !== 'null');
      return [...nonNull, ...(members.length > nonNull.length ? ['null'] : [])].join(' | ');
    }
    const obj = asObject(schema, this.file);
    const type = obj.type;
    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return this.defineNamed(obj, namespace);
      case 'array': {
        const items = this.typeOf(obj.items, namespace);
        return items.includes(' ') ? `(${items})[]` : `${items}[]`;
      }
      case 'map':
        return `Record<string, ${this.typeOf(obj.values, namespace)}>`;
      default:
        // a primitive written as an object, possibly with a logicalType (uuid → string, …)
        return this.typeOf(type, namespace);
    }
  }

  private defineNamed(obj: Record<string, unknown>, enclosingNamespace: string): string {
    const rawName = obj.name;
    if (typeof rawName !== 'string') throw new Error(`${this.file}: named type without a name`);
    const namespace =
      rawName.includes('.') || typeof obj.namespace !== 'string' ? enclosingNamespace : obj.namespace;
    const fullName = rawName.includes('.') || namespace === '' ? rawName : `${namespace}.${rawName}`;
    const short = fullName.slice(fullName.lastIndexOf('.') + 1);
    const ownNamespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
    const canonical = JSON.stringify({ ...obj, namespace: ownNamespace });
    const existing = this.named.get(short);
    this.inFile.add(fullName);
    if (existing) {
      if (existing.fullName !== fullName || existing.canonical !== canonical) {
        throw new Error(
          `${this.file}: type ${fullName} differs from ${existing.fullName} defined in ${existing.definedIn}; ` +
            'nested named types must be defined identically in every file',
        );
      }
      return short;
    }
    this.named.set(short, { fullName, canonical, definedIn: this.file });
    this.fullToShort.set(fullName, short);

    const block: string[] = [];
    if (obj.type === 'enum') {
      const symbols = obj.symbols;
      if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) {
        throw new Error(`${this.file}: enum ${fullName} needs string symbols`);
      }
      block.push(...docComment(obj.doc, ''), ...unionAlias(short, symbols.map(quote)));
      this.enums.push({ name: short, symbols });
    } else if (obj.type === 'fixed') {
      block.push(...docComment(obj.doc, ''), `export type ${short} = Buffer;`);
    } else {
      const fields = obj.fields;
      if (!Array.isArray(fields)) throw new Error(`${this.file}: record ${fullName} needs fields`);
      const body: string[] = [];
      for (const f of fields) {
        const field = asObject(f, `${this.file}: ${fullName}`);
        if (typeof field.name !== 'string')
          throw new Error(`${this.file}: ${fullName} has a field without a name`);
        body.push(
          ...docComment(field.doc, '  '),
          `  ${propKey(field.name)}: ${this.typeOf(field.type, ownNamespace)};`,
        );
      }
      block.push(...docComment(obj.doc, ''), `export interface ${short} {`, ...body, '}');
    }
    this.blocks.push(block);
    return short;
  }
}

/** The text of `lib/contracts/generated.ts` for these schema files (deterministic). */
export function generateContractsModule(inputs: readonly SchemaInput[]): string {
  const gen = new Generator();
  for (const input of inputs) gen.addRecord(input);
  return gen.render(inputs);
}
