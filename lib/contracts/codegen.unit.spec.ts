import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GeneratedModule, generateContractModules } from './codegen.ts';
import { naturalOrder, typeImport } from './codegen-syntax.ts';
import { generatedFileDrift } from './generated-files.ts';
import { parseSchemaFile, type SchemaFile } from './schema-files.ts';

const record = (topic: string, name: string, fields: unknown[]): SchemaFile =>
  parseSchemaFile(
    topic,
    `${name}.avsc`,
    JSON.stringify({ type: 'record', name, namespace: 'ordersaga.order', doc: 'x', fields }),
  );

const textOf = (modules: readonly GeneratedModule[], path: string): string => {
  const module = modules.find((m) => m.path === path);
  assert.ok(module, `${path} is generated`);
  return module.text;
};

describe('contracts codegen', () => {
  it('refuses two different definitions of one nested type', () => {
    const item = (doc: string) => ({
      name: 'items',
      doc: 'x',
      type: { type: 'array', items: { type: 'record', name: 'Item', doc, fields: [] } },
    });
    const mk = (name: string, doc: string): SchemaFile =>
      parseSchemaFile(
        'order-events',
        `${name}.avsc`,
        JSON.stringify({ type: 'record', name, namespace: 'ordersaga.order', doc: 'x', fields: [item(doc)] }),
      );
    assert.doesNotThrow(() => generateContractModules([mk('A', 'same'), mk('B', 'same')]));
    assert.throws(() => generateContractModules([mk('A', 'one'), mk('B', 'other')]), /Item .*differs/);
  });

  it('refuses a reference to a type the file does not define itself', () => {
    const a = parseSchemaFile(
      'order-events',
      'A.avsc',
      JSON.stringify({
        type: 'record',
        name: 'A',
        namespace: 'ordersaga.order',
        fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['x'] } }],
      }),
    );
    const b = parseSchemaFile(
      'order-events',
      'B.avsc',
      JSON.stringify({
        type: 'record',
        name: 'B',
        namespace: 'ordersaga.order',
        fields: [{ name: 'e', type: 'E' }],
      }),
    );
    assert.throws(() => generateContractModules([a, b]), /unknown type reference E/);
  });

  it('declares a nested type in the first topic that inlines it; a later topic imports it from there', () => {
    const address = {
      name: 'address',
      type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] },
    };
    const modules = generateContractModules([
      record('shipping-commands', 'Ship', [address]),
      record('order-events', 'Placed', [address]),
    ]);
    const ship = textOf(modules, 'lib/contracts/generated/shipping-commands.ts');
    const placed = textOf(modules, 'lib/contracts/generated/order-events.ts');
    assert.match(ship, /export interface Address \{/);
    assert.doesNotMatch(placed, /export interface Address/);
    assert.match(placed, /^import type \{ Address \} from '\.\/shipping-commands\.ts';$/m);
    assert.match(placed, /address: Address;/);
    const index = textOf(modules, 'lib/contracts/generated.ts');
    assert.match(index, /^export type \* from '\.\/generated\/shipping-commands\.ts';$/m);
    assert.match(index, /Placed: OrderEvents\.Placed;/);
  });

  it('writes imported names in biome’s order, one per line when the line is too long', () => {
    assert.deepEqual(['b', 'B', 'a', 'Ab', 'AB', 'A'].sort(naturalOrder), ['A', 'AB', 'Ab', 'a', 'B', 'b']);
    assert.deepEqual(typeImport(['A', 'B'], './x.ts'), ["import type { A, B } from './x.ts';"]);
    const long = typeImport(['LongName'.repeat(5), 'OtherLongName'.repeat(5)], './x.ts');
    assert.equal(long[0], 'import type {');
    assert.equal(long.at(-1), "} from './x.ts';");
  });
});

describe('contracts: generated file drift', () => {
  const modules: GeneratedModule[] = [
    { path: 'lib/contracts/generated/a.ts', text: 'a\n' },
    { path: 'lib/contracts/generated.ts', text: 'index\n' },
  ];

  it('finds nothing when every emitted module is on disk as emitted', () => {
    const onDisk = new Map(modules.map((m) => [m.path, m.text]));
    assert.deepEqual(generatedFileDrift(modules, onDisk), []);
  });

  it('finds a stale module, a missing one and a file of the folder the generator no longer emits', () => {
    const onDisk = new Map([
      ['lib/contracts/generated.ts', 'index, edited by hand\n'],
      ['lib/contracts/generated/gone.ts', 'old\n'],
    ]);
    assert.deepEqual(generatedFileDrift(modules, onDisk), [
      { path: 'lib/contracts/generated/a.ts', problem: 'missing' },
      { path: 'lib/contracts/generated.ts', problem: 'stale' },
      { path: 'lib/contracts/generated/gone.ts', problem: 'extra' },
    ]);
  });
});
