/**
 * Schema evolution against the real registry (`npm run stack -- up`): every earlier version of a
 * record (schemas/<topic>/history/) is registered under its subject before the current one, and a
 * message written with an old version's schema id still decodes with today's codec.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { schemaFiles, schemaHistory } from '../contracts/schema-files.ts';
import { avroTypeOf, encodeWithType } from './avro-encoding.ts';
import { createAvroCodec } from './codec.ts';

const registryUrl = (process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
  /\/+$/,
  '',
);

const getJson = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${registryUrl}${path}`);
  assert.equal(res.status, 200, `GET ${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
};

const subjectOf = (name: string): string => {
  const file = schemaFiles().find((f) => f.name === name);
  assert.ok(file, `${name} has a schema file`);
  return file.subject;
};

/** Schema id and text of one registered version of a subject. */
const versionOf = (subject: string, version: number) =>
  getJson<{ id: number; version: number; schema: string }>(
    `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
  );

describe('schema history in the registry', () => {
  before(async () => {
    await createAvroCodec({ registryUrl }).registerAll();
  });

  it('registers every earlier version in order, then the current one, under each evolved subject, BACKWARD', async () => {
    const history = schemaHistory();
    for (const subjectName of new Set(history.map((h) => h.subject))) {
      const earlier = history.filter((h) => h.subject === subjectName).sort((a, b) => a.version - b.version);
      const subject = encodeURIComponent(subjectName);
      const versions = await getJson<number[]>(`/subjects/${subject}/versions`);
      assert.ok(
        versions.length > earlier.length,
        `${subjectName} has its ${earlier.length} earlier and its current version: ${versions}`,
      );
      for (const [i, old] of earlier.entries()) {
        const registered = await versionOf(subjectName, versions[i] ?? 0);
        assert.deepEqual(
          JSON.parse(registered.schema),
          old.schema,
          `${subjectName}: version ${i + 1} is ${old.file}`,
        );
      }
      const last = await versionOf(subjectName, versions.at(-1) ?? 0);
      const current = schemaFiles().find((f) => f.subject === subjectName);
      assert.deepEqual(
        JSON.parse(last.schema),
        current?.schema,
        `${subjectName}: the latest is today's file`,
      );
      const config = await getJson<{ compatibilityLevel: string }>(`/config/${subject}`);
      assert.equal(config.compatibilityLevel, 'BACKWARD');
    }
  });

  it('decodes a StockReserved written with version 1 (its registered id): lines default to []', async () => {
    const subject = subjectOf('StockReserved');
    const [firstVersion] = await getJson<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`);
    const v1 = await versionOf(subject, firstVersion ?? 0);
    const old = schemaHistory().find((h) => h.subject === subject && h.version === 1);
    assert.ok(old);
    const payload = { orderId: randomUUID(), reservationId: randomUUID() };
    const message = encodeWithType(avroTypeOf(old.schema), 'StockReserved', v1.id, payload);

    // A codec that registered the history knows the id; one that did not learns it from the registry.
    const registered = createAvroCodec({ registryUrl });
    await registered.registerAll();
    assert.notEqual(registered.schemaIdOf('StockReserved'), v1.id, 'today StockReserved is written with v2');
    const expected = { type: 'StockReserved', payload: { ...payload, lines: [] } };
    assert.deepEqual(await registered.decode(message), expected);
    assert.deepEqual(await createAvroCodec({ registryUrl }).decode(message), expected);
  });

  it('decodes an OrderPlaced written with version 1 (total and prices were long) into nullable fields, without a contact', async () => {
    const subject = subjectOf('OrderPlaced');
    const [firstVersion] = await getJson<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`);
    const v1 = await versionOf(subject, firstVersion ?? 0);
    const payload = {
      orderId: randomUUID(),
      customerId: 'c-1',
      items: [{ sku: 'SKU-001', quantity: 2, unitPrice: 1999 }],
      total: 3998,
      currency: 'EUR',
    };
    const message = encodeWithType(avroTypeOf(JSON.parse(v1.schema)), 'OrderPlaced', v1.id, payload);
    assert.deepEqual(await createAvroCodec({ registryUrl }).decode(message), {
      type: 'OrderPlaced',
      payload: { ...payload, contact: null },
    });
  });

  it('encodes and decodes the new CancelReason price_changed', async () => {
    const codec = createAvroCodec({ registryUrl });
    await codec.registerAll();
    const payload = { orderId: randomUUID(), reason: 'price_changed' as const };
    assert.deepEqual(await codec.decode(await codec.encode('OrderCancelled', payload)), {
      type: 'OrderCancelled',
      payload,
    });
  });
});
