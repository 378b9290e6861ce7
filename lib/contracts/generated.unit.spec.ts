import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { businessTopics } from '../kafka/topics.ts';
import { generateContractModules } from './codegen.ts';
import { enumSymbols, recordFullNames, recordNames, recordTopics } from './generated.ts';
import { generatedFileDrift, generatedFilesOnDisk } from './generated-files.ts';
import { loadSchemaFiles, loadSchemaHistory, repoRoot } from './schema-files.ts';

const files = loadSchemaFiles();

/** Every record/enum schema nested anywhere in `schema`, and every field, with a path for messages. */
function walk(
  schema: unknown,
  where: string,
  visit: (node: Record<string, unknown>, where: string, kind: 'named' | 'field') => void,
): void {
  if (Array.isArray(schema)) {
    for (const s of schema) walk(s, where, visit);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  if (node.type === 'record' || node.type === 'enum' || node.type === 'fixed') {
    const here = `${where} > ${String(node.name)}`;
    visit(node, here, 'named');
    if (Array.isArray(node.fields)) {
      for (const f of node.fields as Record<string, unknown>[]) {
        visit(f, `${here}.${String(f.name)}`, 'field');
        walk(f.type, `${here}.${String(f.name)}`, visit);
      }
    }
    return;
  }
  walk(node.type, where, visit);
  walk(node.items, where, visit);
  walk(node.values, where, visit);
}

describe('contracts: generated.ts and generated/<topic>.ts', () => {
  const modules = generateContractModules(files);

  it('equal what npm run gen:types generates from schemas/ (run it after editing a schema)', () => {
    const onDisk = generatedFilesOnDisk();
    for (const { path: file, text } of modules) assert.equal(onDisk.get(file), text, file);
    assert.deepEqual(generatedFileDrift(modules, onDisk), [], 'no other file in lib/contracts/generated/');
  });

  it('are one module per topic plus the index, each at most 350 lines', () => {
    assert.deepEqual(
      modules.map((m) => m.path),
      [...businessTopics.map((t) => `lib/contracts/generated/${t}.ts`), 'lib/contracts/generated.ts'],
    );
    for (const { path: file, text } of modules) {
      assert.ok(text.split('\n').length <= 350, `${file} has ${text.split('\n').length} lines`);
    }
  });

  it('are deterministic', () => {
    assert.deepEqual(generateContractModules(files), generateContractModules(loadSchemaFiles()));
  });

  it('lists every record with its topic and full name', () => {
    assert.deepEqual(
      files.map((f) => f.name),
      recordNames,
    );
    for (const f of files) {
      assert.equal(recordTopics[f.name as keyof typeof recordTopics], f.topic);
      assert.equal(recordFullNames[f.name as keyof typeof recordFullNames], f.fullName);
    }
    assert.deepEqual(enumSymbols.CancelReason, [
      'out_of_stock',
      'payment_declined',
      'shipping_failed',
      'timeout',
      'price_changed',
      'customer_cancelled',
    ]);
  });
});

describe('contracts: schemas/', () => {
  it('has a folder per business topic, each with records', () => {
    assert.deepEqual([...new Set(files.map((f) => f.topic))], [...businessTopics]);
  });

  it('uses the topic-record-name subject and a canonical schema text', () => {
    for (const f of files) {
      assert.equal(f.subject, `${f.topic}-${f.fullName}`);
      const raw = readFileSync(path.join(repoRoot, f.file), 'utf8');
      assert.equal(f.schemaText, JSON.stringify(JSON.parse(raw)));
      assert.match(f.fullName, /^ordersaga\.(inventory|payment|shipping|order|audit)\.[A-Z][A-Za-z]+$/);
    }
  });

  it('documents every record and field; enums are lowercase with a default; the key id is first', () => {
    for (const f of files) {
      const first = (f.schema.fields as Record<string, unknown>[])[0];
      // Audit records are keyed by their target (not always an order); every other record by its order.
      const firstField = f.topic === 'audit-events' ? 'auditId' : 'orderId';
      assert.equal(first?.name, firstField, `${f.file}: ${firstField} must be the first field`);
      assert.deepEqual(
        first?.type,
        { type: 'string', logicalType: 'uuid' },
        `${f.file}: ${firstField} is a UUID string`,
      );
      walk(f.schema, f.file, (node, where, kind) => {
        assert.ok(typeof node.doc === 'string' && node.doc.length > 0, `${where}: ${kind} needs a doc`);
        if (node.type === 'enum') {
          const symbols = node.symbols as string[];
          for (const s of symbols)
            assert.match(s, /^[a-z][a-z0-9_]*$/, `${where}: enum symbols are lowercase`);
          assert.ok(symbols.includes(node.default as string), `${where}: enum needs a default symbol`);
        }
      });
    }
  });

  it('keeps money as long minor units next to a currency', () => {
    for (const f of files) {
      const fields = f.schema.fields as { name: string; type: unknown }[];
      for (const money of fields.filter((x) => ['amount', 'total'].includes(x.name))) {
        // A total not known yet (OrderPlaced, priced later by the catalog) is null, never 0.
        const unknownYet = JSON.stringify(money.type) === JSON.stringify(['null', 'long']);
        assert.ok(money.type === 'long' || unknownYet, `${f.file}: ${money.name} is long minor units`);
        if (f.name !== 'PaymentRefunded') {
          assert.ok(
            fields.some((x) => x.name === 'currency'),
            `${f.file}: ${money.name} needs a currency`,
          );
        }
      }
    }
  });
});

describe('contracts: schemas/<topic>/history/ (earlier versions)', () => {
  const history = loadSchemaHistory();

  it('keeps every earlier version of a record, under the same subject', () => {
    assert.deepEqual(
      history.map((h) => [h.subject, h.version]),
      [
        ['inventory-events-ordersaga.inventory.StockReserved', 1],
        ['order-events-ordersaga.order.OrderCancelled', 1],
        ['order-events-ordersaga.order.OrderCancelled', 2],
        ['order-events-ordersaga.order.OrderPlaced', 1],
        ['order-events-ordersaga.order.OrderPlaced', 2],
        ['shipping-events-ordersaga.shipping.ShippingCancelled', 1],
      ],
    );
  });

  it('reads data of every earlier version with the current schema (BACKWARD); new fields get their defaults', () => {
    for (const old of history) {
      const current = files.find((f) => f.subject === old.subject);
      assert.ok(current, `${old.file} has a current file`);
      const oldType = avsc.Type.forSchema(old.schema as avsc.Schema);
      const currentType = avsc.Type.forSchema(current.schema as avsc.Schema);
      const resolver = currentType.createResolver(oldType);
      const value = oldType.random();
      const read = currentType.fromBuffer(oldType.toBuffer(value), resolver) as unknown as Record<
        string,
        unknown
      >;
      assert.equal(read.orderId, (value as unknown as Record<string, unknown>).orderId, old.file);
      if (old.name === 'StockReserved') assert.deepEqual(read.lines, [], 'lines default to []');
      if (old.name === 'OrderPlaced') assert.equal(read.contact, null, 'contact defaults to null');
    }
  });
});
