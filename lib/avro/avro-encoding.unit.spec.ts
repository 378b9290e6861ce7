import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordPayloads } from '../contracts/generated.ts';
import { avroTypeOf, decodeWithType, encodeWithType } from './avro-encoding.ts';
import { frame, unframe } from './confluent-framing.ts';
import { AvroDecodeError, AvroEncodeError } from './errors.ts';
import { recordSchemas } from './record-catalog.ts';

const records = recordSchemas();
const typeOf = (name: keyof RecordPayloads) => {
  const rec = records.get(name);
  assert.ok(rec, name);
  return rec.type;
};

const orderId = '0b6f3c7e-8a51-4d43-9a0e-2f1f7c1d9e10';
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
  items: [
    { sku: 'SKU-001', quantity: 2 },
    { sku: 'SKU-002', quantity: 1 },
  ],
};

describe('avro encoding: encoding and decoding with a known type', () => {
  it('round-trips a record with nested records, arrays and a null union into plain objects', () => {
    const type = typeOf('ScheduleShipping');
    const framed = encodeWithType(type, 'ScheduleShipping', 42, scheduleShipping);
    const { schemaId, body } = unframe(framed);
    assert.equal(schemaId, 42);
    const decoded = decodeWithType(type, body, { schemaId });
    assert.deepStrictEqual(decoded, scheduleShipping); // also checks plain prototypes
  });

  it('round-trips every record of schemas/ with a random valid value', () => {
    for (const rec of records.values()) {
      const value = rec.type.random();
      const { body } = unframe(encodeWithType(rec.type, rec.name, 1, value));
      assert.deepEqual(decodeWithType(rec.type, body), JSON.parse(JSON.stringify(value)), rec.name);
    }
  });

  it('encodes each payload into a buffer of its own, whatever its size, exactly as avsc does', () => {
    const type = typeOf('ScheduleShipping');
    const payloads = [20, 70_000, 3, 200_000, 10].map((size) => ({
      ...scheduleShipping,
      address: { ...scheduleShipping.address, line1: `${'é'.repeat(size)}!` },
    }));
    const framed = payloads.map((payload) => encodeWithType(type, 'ScheduleShipping', 7, payload));
    framed.forEach((buffer, i) => {
      const expected = frame(7, type.toBuffer(payloads[i]));
      assert.ok(buffer.equals(expected), `payload ${i} (${buffer.length} bytes)`);
      assert.deepStrictEqual(decodeWithType(type, unframe(buffer).body), payloads[i]);
    });
    assert.throws(
      () => encodeWithType(type, 'ScheduleShipping', -1, scheduleShipping),
      /invalid schema id: -1/,
    );
  });

  it('fills a field with a default when the payload omits it', () => {
    const type = typeOf('PaymentRefunded');
    const { body } = unframe(
      encodeWithType(type, 'PaymentRefunded', 1, { orderId, amount: 0, refunded: false }),
    );
    assert.deepEqual(decodeWithType(type, body), { orderId, paymentId: null, amount: 0, refunded: false });
  });

  it('names the record and every failing field path of an invalid payload', () => {
    const type = typeOf('ScheduleShipping');
    const bad = {
      ...scheduleShipping,
      items: [
        { sku: 'SKU-001', quantity: 1.5 },
        { sku: 3, quantity: 1 },
      ],
    };
    assert.throws(
      () => encodeWithType(type, 'ScheduleShipping', 1, bad),
      (err: unknown) => {
        assert.ok(err instanceof AvroEncodeError);
        assert.equal(err.reason, 'invalid_payload');
        assert.equal(err.record, 'ScheduleShipping');
        assert.deepEqual(err.fields, [
          { path: 'items.0.quantity', expected: 'int', got: 'number 1.5' },
          { path: 'items.1.sku', expected: 'string', got: 'number 3' },
        ]);
        assert.match(err.message, /ScheduleShipping/);
        assert.match(err.message, /items\.0\.quantity: expected int, got number 1\.5/);
        assert.ok(err.cause instanceof Error);
        return true;
      },
    );
  });

  it('names a missing field, a bad enum symbol and a wrong nullable', () => {
    const cancelled = typeOf('OrderCancelled');
    assert.throws(
      () => encodeWithType(cancelled, 'OrderCancelled', 1, { orderId, reason: 'bored' }),
      (err: unknown) =>
        err instanceof AvroEncodeError &&
        err.fields[0]?.path === 'reason' &&
        /enum CancelReason \(out_of_stock \| payment_declined/.test(err.message),
    );
    assert.throws(
      () => encodeWithType(cancelled, 'OrderCancelled', 1, { reason: 'timeout' }),
      (err: unknown) =>
        err instanceof AvroEncodeError && /orderId: expected string, got undefined/.test(err.message),
    );
    const changed = typeOf('OrderStatusChanged');
    assert.throws(
      () =>
        encodeWithType(changed, 'OrderStatusChanged', 1, {
          orderId,
          status: 'pending',
          sagaState: 'x',
          previousSagaState: 5,
        }),
      (err: unknown) =>
        err instanceof AvroEncodeError && /previousSagaState: expected \["null","string"\]/.test(err.message),
    );
    assert.throws(
      () => encodeWithType(changed, 'OrderStatusChanged', 1, null),
      (err: unknown) =>
        err instanceof AvroEncodeError && /<root>: expected OrderStatusChanged, got null/.test(err.message),
    );
  });

  it('reports truncated, trailing or garbage bodies as invalid_avro with the schema id', () => {
    const type = typeOf('ScheduleShipping');
    const { body } = unframe(encodeWithType(type, 'ScheduleShipping', 9, scheduleShipping));
    for (const bad of [
      body.subarray(0, body.length - 3),
      Buffer.concat([body, Buffer.from([1])]),
      Buffer.alloc(12, 0xff),
    ]) {
      assert.throws(
        () => decodeWithType(type, bad, { schemaId: 9 }),
        (err: unknown) =>
          err instanceof AvroDecodeError &&
          err.reason === 'invalid_avro' &&
          err.schemaId === 9 &&
          err.cause instanceof Error,
      );
    }
  });

  it('decodes an older writer schema through a resolver (BACKWARD evolution)', () => {
    const reader = typeOf('PaymentRefunded');
    // the same record before paymentId existed
    const writer = avroTypeOf({
      type: 'record',
      name: 'PaymentRefunded',
      namespace: 'ordersaga.payment',
      fields: [
        { name: 'orderId', type: 'string' },
        { name: 'amount', type: 'long' },
        { name: 'refunded', type: 'boolean' },
      ],
    });
    const body = writer.toBuffer({ orderId, amount: 5, refunded: true });
    assert.deepEqual(decodeWithType(reader, body, { resolver: reader.createResolver(writer) }), {
      orderId,
      paymentId: null,
      amount: 5,
      refunded: true,
    });
  });
});
