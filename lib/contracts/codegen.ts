/**
 * Generates the TypeScript types of the Avro contracts from the schema files: one module per topic,
 * `lib/contracts/generated/<topic>.ts`, with the payload types of its records (and the nested types
 * they define first; a topic that inlines a type another topic defined first imports it from
 * there), and the index `lib/contracts/generated.ts` that re-exports them next to the tables of
 * every record (topic, full name, payload type, enum symbols). Pure: schema files in, module texts
 * out. Used by `npm run gen:types` and by the unit test that keeps the committed files from
 * drifting.
 */
import { renderContractsIndex } from './codegen-index.ts';
import {
  docComment,
  generatedHeader,
  naturalOrder,
  propKey,
  quote,
  typeImport,
  unionAlias,
} from './codegen-syntax.ts';
import type { SchemaFile } from './schema-files.ts';

/** The index module, relative to the repository root. */
export const contractsIndexPath = 'lib/contracts/generated.ts';
/** The folder of the per-topic modules, relative to the repository root. */
export const contractTopicsDir = 'lib/contracts/generated';

/** One generated file: its path relative to the repository root, and its text. */
export interface GeneratedModule {
  path: string;
  text: string;
}

type SchemaInput = Pick<SchemaFile, 'name' | 'fullName' | 'topic' | 'schema' | 'file'>;

interface NamedDef {
  fullName: string;
  /** The definition as JSON, to check that every file inlines the same one. */
  canonical: string;
  definedIn: string;
  /** Topic whose module declares it. */
  topic: string;
}

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

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${where}: expected an object`);
  return v as Record<string, unknown>;
}

/** What a topic's module declares, and the types it takes from other topics' modules. */
interface TopicModule {
  blocks: string[][];
  /** Topic → the names imported from its module. */
  imports: Map<string, Set<string>>;
}

class Generator {
  private readonly named = new Map<string, NamedDef>();
  private readonly fullToShort = new Map<string, string>();
  private readonly topics = new Map<string, TopicModule>();
  readonly enums: { name: string; symbols: string[] }[] = [];
  private file = '';
  private topic = '';
  /** Full names defined so far in the current file: a file may only reference its own types. */
  private inFile = new Set<string>();

  /** Declares a top-level record (and, depth first, every named type it inlines). */
  addRecord(input: SchemaInput): void {
    this.file = input.file;
    this.topic = input.topic;
    this.inFile = new Set();
    this.module();
    this.typeOf(input.schema, '');
  }

  /** Every module: one per topic, in schema order, then the index. */
  render(inputs: readonly SchemaInput[]): GeneratedModule[] {
    const modules = [...this.topics].map(([topic, module]) => ({
      path: `${contractTopicsDir}/${topic}.ts`,
      text: this.renderTopic(module),
    }));
    const index = renderContractsIndex({
      records: inputs,
      topics: [...this.topics.keys()],
      topicOfType: (name) => this.named.get(name)?.topic ?? '',
      enums: this.enums,
    });
    return [...modules, { path: contractsIndexPath, text: index }];
  }

  private renderTopic(module: TopicModule): string {
    const out: string[] = [generatedHeader, ''];
    const sources = [...module.imports.keys()].sort();
    for (const topic of sources) {
      const names = [...(module.imports.get(topic) ?? [])].sort(naturalOrder);
      out.push(...typeImport(names, `./${topic}.ts`));
    }
    if (sources.length > 0) out.push('');
    for (const block of module.blocks) out.push(...block, '');
    out.pop();
    return `${out.join('\n')}\n`;
  }

  /** The module of the current topic (made on its first record). */
  private module(): TopicModule {
    let module = this.topics.get(this.topic);
    if (!module) {
      module = { blocks: [], imports: new Map() };
      this.topics.set(this.topic, module);
    }
    return module;
  }

  /** A reference to a declared type from the current topic's module: imported when declared elsewhere. */
  private use(short: string): string {
    const module = this.module();
    const from = this.named.get(short)?.topic;
    if (from !== undefined && from !== this.topic) {
      const names = module.imports.get(from) ?? new Set<string>();
      module.imports.set(from, names.add(short));
    }
    return short;
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
      return this.use(short);
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
      return this.use(short);
    }
    this.named.set(short, { fullName, canonical, definedIn: this.file, topic: this.topic });
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
    this.module().blocks.push(block);
    return short;
  }
}

/** Every generated module for these schema files: per topic, then the index (deterministic). */
export function generateContractModules(inputs: readonly SchemaInput[]): GeneratedModule[] {
  const gen = new Generator();
  for (const input of inputs) gen.addRecord(input);
  return gen.render(inputs);
}
