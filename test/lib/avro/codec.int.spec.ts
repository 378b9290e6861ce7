/**
 * Integration test of the Avro codec against the real stack (`npm run stack -- up`):
 * Kafka on 127.0.0.1:9092 and Apicurio's Confluent API on http://127.0.0.1:8081/apis/ccompat/v7
 * (KAFKA_BROKERS / SCHEMA_REGISTRY_URL override).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { type AvroCodec, createAvroCodec } from '../../../lib/avro/codec.ts';
import { frame } from '../../../lib/avro/confluent-framing.ts';
import { AvroDecodeError, SchemaRegistrationError } from '../../../lib/avro/errors.ts';
import { createRegistryClient, registerSchema } from '../../../lib/avro/schema-registration.ts';
import type { RecordPayloads, TypedRecord } from '../../../lib/contracts/generated.ts';
import { kafkajsSecurityOptions } from '../../../lib/kafka/kafka-security.ts';
import { testKafkaConnection } from '../../support/kafka-harness.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const registryUrl = (process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
  /\/+$/,
  '',
);
const suffix = randomUUID().slice(0, 8);

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 250);
  }
}

const isDecodeError =
  (reason: AvroDecodeError['reason'], schemaId?: number) =>
  (err: unknown): boolean => {
    assert.ok(err instanceof AvroDecodeError, `expected AvroDecodeError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (schemaId !== undefined) assert.equal(err.schemaId, schemaId);
    return true;
  };

const orderId = randomUUID();
const scheduleShipping: RecordPayloads['ScheduleShipping'] = {
  orderId,
  address: {
    name: 'Ada',
    line1: '1 Main St',
    line2: null,
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  },
  items: [{ sku: 'SKU-001', quantity: 2 }],
};
const orderPlaced: RecordPayloads['OrderPlaced'] = {
  orderId,
  customerId: 'c-42',
  items: [{ sku: 'SKU-001', quantity: 2, unitPrice: 1999 }],
  total: 3998,
  currency: 'EUR',
  contact: { email: 'c-42@example.com', phone: '+4915112345678' },
};

describe('avro codec against Kafka and the schema registry', () => {
  const kafka = new Kafka({
    clientId: `it-codec-${suffix}`,
    brokers,
    ...kafkajsSecurityOptions(testKafkaConnection().security),
    logLevel: logLevel.WARN,
  });
  let admin: Admin;
  let codec: AvroCodec;
  const topic = `it-codec-${suffix}`;
  const groupId = `it-codec-${suffix}`;
  const subjects: string[] = [];

  before(async () => {
    const res = await fetch(`${registryUrl}/subjects`).catch((err: unknown) => {
      throw new Error(
        `schema registry not reachable at ${registryUrl} (start the stack: npm run stack -- up)`,
        {
          cause: err,
        },
      );
    });
    assert.equal(res.status, 200, `GET ${registryUrl}/subjects`);
    admin = kafka.admin();
    await admin.connect();
    codec = createAvroCodec({ registryUrl });
  });

  after(async () => {
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    for (const subject of subjects) {
      const path = `${registryUrl}/subjects/${encodeURIComponent(subject)}`;
      await fetch(path, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${path}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
    }
  });

  it('registers every schema, and registering again gives the same ids', async () => {
    await codec.registerAll();
    const first = codec.schemaIdOf('ScheduleShipping');
    assert.ok(Number.isInteger(first) && first > 0);
    const again = createAvroCodec({ registryUrl });
    await again.registerAll();
    assert.equal(again.schemaIdOf('ScheduleShipping'), first);
    assert.equal(again.schemaIdOf('OrderPlaced'), codec.schemaIdOf('OrderPlaced'));
    assert.notEqual(codec.schemaIdOf('OrderPlaced'), first);
  });

  it('produces Avro records to a topic and consumes them back equal, Confluent-framed', async () => {
    await codec.registerAll();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });

    const sent: TypedRecord[] = [
      { type: 'ScheduleShipping', payload: scheduleShipping },
      { type: 'OrderPlaced', payload: orderPlaced },
    ];
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { key: orderId, value: await codec.encode('ScheduleShipping', scheduleShipping) },
          { key: orderId, value: await codec.encode('OrderPlaced', orderPlaced) },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const raw: Buffer[] = [];
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value) raw.push(message.value);
        },
      });
      await waitFor('two messages', () => (raw.length >= 2 ? true : undefined));
    } finally {
      await consumer.disconnect();
    }

    assert.equal(raw.length, 2);
    const decoded = await Promise.all(raw.map((buf) => codec.decode(buf)));
    assert.deepStrictEqual(decoded, sent);

    const [first] = raw;
    assert.ok(first);
    assert.equal(first[0], 0, 'magic byte');
    assert.equal(first.readInt32BE(1), codec.schemaIdOf('ScheduleShipping'));

    // a codec that registered nothing learns the ids from the registry
    const fresh = createAvroCodec({ registryUrl });
    assert.deepStrictEqual(await Promise.all(raw.map((buf) => fresh.decode(buf))), sent);
  });

  it('rejects an incompatible schema version with a SchemaRegistrationError naming the subject', async () => {
    const registry = createRegistryClient(registryUrl);
    const name = `Probe${suffix.replace(/[^a-z0-9]/gi, '')}`;
    const subject = `it-codec-${suffix}-it.codec.${name}`;
    subjects.push(subject);
    const v1 = {
      type: 'record',
      name,
      namespace: 'it.codec',
      fields: [{ name: 'orderId', type: 'string' }],
    };
    // the subject is created by a plain HTTP client: it has no compatibility rule of its own,
    // which Apicurio reports as NONE (not the global BACKWARD) and the registry client refuses
    const created = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(v1) }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { id: id1 } = (await created.json()) as { id: number };
    assert.ok(id1 > 0);
    // registering the same bytes sets the subject to BACKWARD and returns the same id
    assert.equal(await registerSchema(registry, subject, JSON.stringify(v1)), id1);
    const config = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`);
    assert.deepEqual(await config.json(), { compatibilityLevel: 'BACKWARD' });
    // same bytes again: same id, no new version
    assert.equal(await registerSchema(registry, subject, JSON.stringify(v1)), id1);

    const compatible = {
      ...v1,
      fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }],
    };
    const id2 = await registerSchema(registry, subject, JSON.stringify(compatible));
    assert.notEqual(id2, id1);

    const incompatible = { ...v1, fields: [...compatible.fields, { name: 'required', type: 'string' }] };
    await assert.rejects(registerSchema(registry, subject, JSON.stringify(incompatible)), (err: unknown) => {
      assert.ok(
        err instanceof SchemaRegistrationError,
        `expected SchemaRegistrationError, got ${String(err)}`,
      );
      assert.equal(err.subject, subject);
      assert.equal(err.reason, 'incompatible', err.message);
      assert.match(err.message, new RegExp(subject.replace(/[.]/g, '\\.')));
      assert.ok(err.registryMessage.length > 0);
      assert.ok(err.cause !== undefined);
      return true;
    });

    // a schema of the registry that is not one of our records cannot be decoded as one
    await assert.rejects(
      codec.decode(frame(id1, Buffer.from([2, 0x61]))),
      isDecodeError('unknown_record', id1),
    );
  });

  it('reports garbage and unknown schema ids as typed decode errors', async () => {
    await assert.rejects(codec.decode(Buffer.from('{"orderId":"x"}')), isDecodeError('not_confluent_framed'));
    await assert.rejects(codec.decode(Buffer.from([0, 0, 0])), isDecodeError('not_confluent_framed'));
    const unknownId = 0x7ffffff0;
    await assert.rejects(
      codec.decode(frame(unknownId, Buffer.from([1, 2]))),
      isDecodeError('unknown_schema_id', unknownId),
    );
    // a known id with a broken body
    const id = codec.schemaIdOf('OrderPlaced');
    await assert.rejects(
      codec.decode(frame(id, Buffer.from([0xff, 0xff]))),
      isDecodeError('invalid_avro', id),
    );
  });

  it('reports an unreachable registry as a retriable decode error and a registration error', async () => {
    const down = createAvroCodec({ registryUrl: 'http://127.0.0.1:9/apis/ccompat/v7' });
    await assert.rejects(down.decode(frame(123, Buffer.from([1]))), (err: unknown) => {
      isDecodeError('registry_unavailable', 123)(err);
      assert.equal((err as AvroDecodeError).retriable, true);
      return true;
    });
    await assert.rejects(down.registerAll(), (err: unknown) => {
      assert.ok(err instanceof SchemaRegistrationError);
      assert.equal(err.reason, 'registry_unavailable', err.message);
      return true;
    });
  });
});
