import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaHistory } from '../contracts/schema-files.ts';
import { type AvroType, avroTypeOf, decodeWithType } from './avro-encoding.ts';
import { recordSchemas } from './record-catalog.ts';
import { SchemaIdReaders, type SchemaLookup } from './schema-id-readers.ts';

const records = recordSchemas();

/** A registry that answers getSchema from `answer` and counts the requests per id. */
function fakeRegistry(answer: (id: number) => AvroType | Error) {
  const asked: number[] = [];
  const registry: SchemaLookup = {
    getSchema: async (id: number) => {
      asked.push(id);
      const result = answer(id);
      if (result instanceof Error) throw result;
      return result as unknown as Awaited<ReturnType<SchemaLookup['getSchema']>>;
    },
  };
  return { registry, asked };
}

const responseError = (status: number, message: string) =>
  Object.assign(new Error(`ordersaga - ${message}`), { name: 'ResponseError', status });

const stockReservedV1 = schemaHistory().find((h) => h.name === 'StockReserved' && h.version === 1);
const current = records.get('StockReserved');

describe('schema id readers', () => {
  it('knows a learnt id without asking the registry', async () => {
    const { registry, asked } = fakeRegistry(() => new Error('not asked'));
    const readers = new SchemaIdReaders(registry, records.values());
    readers.learn(3, { name: 'OrderPlaced', resolver: undefined });
    assert.deepEqual(await readers.readerOf(3), { name: 'OrderPlaced', resolver: undefined });
    assert.equal(readers.known.get(3)?.name, 'OrderPlaced');
    assert.deepEqual(asked, []);
  });

  it('learns our current schema from the registry once, without a resolver', async () => {
    assert.ok(current);
    const { registry, asked } = fakeRegistry(() => avroTypeOf(current.schema));
    const readers = new SchemaIdReaders(registry, records.values());
    const [a, b] = await Promise.all([readers.readerOf(8), readers.readerOf(8)]);
    assert.deepEqual(a, { name: 'StockReserved', resolver: undefined });
    assert.equal(a, b);
    assert.equal(await readers.readerOf(8), a);
    assert.deepEqual(asked, [8], 'one request however many callers');
  });

  it('resolves an earlier version of one of our records to today’s schema', async () => {
    assert.ok(stockReservedV1 && current);
    const writer = avroTypeOf(stockReservedV1.schema);
    const { registry } = fakeRegistry(() => writer);
    const reader = await new SchemaIdReaders(registry, records.values()).readerOf(5);
    assert.equal(reader.name, 'StockReserved');
    assert.ok(reader.resolver);
    const orderId = '0b6f3c7e-8a51-4d43-9a0e-2f1f7c1d9e10';
    const body = writer.toBuffer({ orderId, reservationId: 'r-1' });
    assert.deepEqual(decodeWithType(current.type, body, { resolver: reader.resolver }), {
      orderId,
      reservationId: 'r-1',
      lines: [],
    });
  });

  it('rejects a record that is not ours, for good (the registry is not asked again)', async () => {
    const foreign = avroTypeOf({ type: 'record', name: 'other.Thing', fields: [] });
    const { registry, asked } = fakeRegistry(() => foreign);
    const readers = new SchemaIdReaders(registry, records.values());
    const unknownRecord = { reason: 'unknown_record', schemaId: 4, writerFullName: 'other.Thing' };
    await assert.rejects(readers.readerOf(4), unknownRecord);
    await assert.rejects(readers.readerOf(4), unknownRecord);
    assert.deepEqual(asked, [4]);
  });

  it('rejects a version of our record that cannot be resolved to ours, for good', async () => {
    const incompatible = avroTypeOf({
      type: 'record',
      name: 'ordersaga.order.OrderCompleted',
      fields: [{ name: 'orderId', type: 'int' }],
    });
    const { registry, asked } = fakeRegistry(() => incompatible);
    const readers = new SchemaIdReaders(registry, records.values());
    await assert.rejects(readers.readerOf(6), { reason: 'incompatible_schema', schemaId: 6 });
    await assert.rejects(readers.readerOf(6), { reason: 'incompatible_schema' });
    assert.deepEqual(asked, [6]);
  });

  it('asks again after an unknown id, an unreachable registry or another HTTP error', async () => {
    const answers = [
      responseError(404, 'Schema not found'),
      responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:9'),
      responseError(503, 'down'),
      responseError(403, 'forbidden'),
    ];
    const { registry, asked } = fakeRegistry(() => answers.shift() ?? new Error('no more answers'));
    const readers = new SchemaIdReaders(registry, records.values());
    await assert.rejects(readers.readerOf(9), { reason: 'unknown_schema_id', schemaId: 9 });
    await assert.rejects(readers.readerOf(9), (err: unknown) => {
      assert.ok(err instanceof Error && 'retriable' in err && err.retriable === true);
      assert.equal((err as { reason?: string }).reason, 'registry_unavailable');
      return true;
    });
    await assert.rejects(readers.readerOf(9), { reason: 'registry_unavailable' });
    await assert.rejects(readers.readerOf(9), { reason: 'unknown_record' });
    assert.equal(readers.known.has(9), false);
    assert.deepEqual(asked, [9, 9, 9, 9]);
  });

  it('rejects for good a schema the client itself cannot parse', async () => {
    const { registry, asked } = fakeRegistry(() => new Error('unknown type: "decimal128"'));
    const readers = new SchemaIdReaders(registry, records.values());
    await assert.rejects(readers.readerOf(2), { reason: 'unknown_record', schemaId: 2 });
    await assert.rejects(readers.readerOf(2), { reason: 'unknown_record' });
    assert.deepEqual(asked, [2]);
  });
});
