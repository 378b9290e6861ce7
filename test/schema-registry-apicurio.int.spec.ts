/**
 * Proves that @kafkajs/confluent-schema-registry works against the Apicurio Registry of the local
 * stack through its Confluent API: global rule BACKWARD, register with an explicit compatibility,
 * Confluent wire format (magic byte + 4-byte id), a compatible evolution, and an incompatible
 * change rejected at registration.
 *
 * Needs the stack: `npm run stack -- up` (SCHEMA_REGISTRY_URL, default
 * http://127.0.0.1:8081/apis/ccompat/v7).
 *   node --import tsx --test test/schema-registry-apicurio.int.spec.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const url = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const registry = new SchemaRegistry({ host: url });
const ns = `compat.t${randomUUID().replaceAll('-', '').slice(0, 8)}`;
const subject = `compat-topic-${ns}.Probe`; // topic-record-name strategy: <topic>-<full name>

const v1 = {
  type: 'record' as const,
  name: 'Probe',
  namespace: ns,
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amount', type: 'long' },
  ],
};
const v2 = { ...v1, fields: [...v1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };
const incompatible = { ...v1, fields: [...v1.fields, { name: 'sku', type: 'string' }] }; // no default

// the registry keeps its schemas across restarts: remove this run's subject (soft, then permanent)
after(async () => {
  const subjectUrl = `${url}/subjects/${encodeURIComponent(subject)}`;
  await fetch(subjectUrl, { method: 'DELETE' }).catch(() => undefined);
  await fetch(`${subjectUrl}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
});

const register = (schema: object) =>
  registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject, compatibility: COMPATIBILITY.BACKWARD },
  );

test('the global compatibility rule is BACKWARD', async () => {
  const res = await fetch(`${url}/config`).catch((err: unknown) => {
    throw new Error(`schema registry not reachable at ${url} (run: npm run stack -- up): ${String(err)}`);
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { compatibilityLevel: 'BACKWARD' });
});

test('register, encode in the Confluent wire format, decode, evolve, reject an incompatible change', async () => {
  const { id: id1 } = await register(v1);
  // registering the same schema again is idempotent (same id) and passes the /config/{subject} check
  assert.equal((await register(v1)).id, id1);

  const payload = { orderId: 'o-1', amount: 1999 };
  const encoded = await registry.encode(id1, payload);
  assert.equal(encoded.readUInt8(0), 0, 'magic byte');
  assert.equal(encoded.readInt32BE(1), id1, '4-byte schema id');
  // avsc decodes to instances of a generated record class: compare own fields
  assert.deepEqual({ ...(await registry.decode(encoded)) }, payload);

  const { id: id2 } = await register(v2);
  assert.notEqual(id2, id1);
  assert.equal(await registry.getLatestSchemaId(subject), id2);
  // an old message read with the new schema gets the default
  assert.deepEqual(
    { ...(await registry.decode(encoded, { [SchemaType.AVRO]: { readerSchema: v2 } })) },
    {
      ...payload,
      currency: 'EUR',
    },
  );

  await assert.rejects(register(incompatible), /409|[Ii]ncompatible/);
});
