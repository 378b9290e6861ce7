import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { http, orderBody, urls, waitForStatus } from '../support/system-under-test.ts';
import { bearer } from '../support/tokens.ts';

const post = (body: unknown, headers: Record<string, string> = {}) =>
  http('POST', `${urls.orchestrator}/orders`, body, headers);

describe('HTTP contract of the orchestrator', () => {
  const invalid: Array<[string, (b: ReturnType<typeof orderBody>) => unknown, RegExp]> = [
    ['unknown top-level field', (b) => ({ ...b, coupon: 'FREE' }), /body\.coupon is not a known field/],
    [
      'unknown item field',
      (b) => ({ ...b, items: [{ ...b.items[0], colour: 'red' }] }),
      /body\.items\[0\]\.colour is not a known field/,
    ],
    ['empty items', (b) => ({ ...b, items: [] }), /body\.items must NOT have fewer than 1 items/],
    [
      'zero quantity',
      (b) => ({ ...b, items: [{ sku: 'SKU-001', quantity: 0, unitPrice: 100 }] }),
      /body\.items\[0\]\.quantity must be >= 1/,
    ],
    [
      'negative quantity',
      (b) => ({ ...b, items: [{ sku: 'SKU-001', quantity: -2, unitPrice: 100 }] }),
      /body\.items\[0\]\.quantity must be >= 1/,
    ],
    [
      'quantity as string',
      (b) => ({ ...b, items: [{ sku: 'SKU-001', quantity: '2', unitPrice: 100 }] }),
      /body\.items\[0\]\.quantity must be integer/,
    ],
    [
      'fractional price',
      (b) => ({ ...b, items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 19.99 }] }),
      /body\.items\[0\]\.unitPrice must be integer/,
    ],
    ['customerId not a string', (b) => ({ ...b, customerId: 7 }), /body\.customerId must be string/],
    [
      'missing postal code',
      (b) => ({ ...b, shippingAddress: { ...b.shippingAddress, postalCode: undefined } }),
      /body\.shippingAddress\.postalCode is required/,
    ],
    ['lower-case currency', (b) => ({ ...b, currency: 'eur' }), /body\.currency must match pattern/],
  ];
  for (const [name, mutate, message] of invalid) {
    test(`400 naming the field: ${name}`, async () => {
      const result = await post(mutate(orderBody()));
      assert.equal(result.status, 400);
      assert.match(result.body.message, message);
    });
  }

  test('400 for a body that is not JSON', async () => {
    const result = await post('{"customerId": ');
    assert.equal(result.status, 400);
  });

  test('404 for an unknown order id, 400 for a malformed one', async () => {
    const unknown = await http('GET', `${urls.orchestrator}/orders/${randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /does not exist/);
    const malformed = await http('GET', `${urls.orchestrator}/orders/not-a-uuid`);
    assert.equal(malformed.status, 400);
    assert.match(malformed.body.message, /params\.id must match format "uuid"/);
  });

  test('the same Idempotency-Key twice gives one order; a different body with it is refused', async () => {
    const key = `key-${randomUUID()}`;
    const body = orderBody();
    const [first, second] = await Promise.all([
      post(body, { 'idempotency-key': key }),
      post(body, { 'idempotency-key': key }),
    ]);
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(first.body.orderId, second.body.orderId);
    const third = await post(body, { 'idempotency-key': key });
    assert.equal(third.body.orderId, first.body.orderId);
    const list = await http('GET', `${urls.orchestrator}/orders?limit=100`);
    assert.equal(
      list.body.orders.filter((o: { customerId: string }) => o.customerId === body.customerId).length,
      1,
    );
    const conflicting = await post({ ...body, currency: 'USD' }, { 'idempotency-key': key });
    assert.equal(conflicting.status, 422);
    assert.match(conflicting.body.message, /different request body/);
  });

  test('list: newest first, cursor pagination, status filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await post(orderBody());
      ids.push(result.body.orderId);
    }
    await Promise.all(ids.map((id) => waitForStatus(id, ['COMPLETED'])));
    const page1 = await http('GET', `${urls.orchestrator}/orders?limit=2`);
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.body.orders.map((o: { orderId: string }) => o.orderId),
      [ids[2], ids[1]],
    );
    assert.equal(typeof page1.body.nextCursor, 'string');
    const page2 = await http('GET', `${urls.orchestrator}/orders?limit=2&cursor=${page1.body.nextCursor}`);
    assert.equal(page2.body.orders[0].orderId, ids[0]);
    const completed = await http('GET', `${urls.orchestrator}/orders?status=COMPLETED&limit=100`);
    assert.ok(completed.body.orders.every((o: { status: string }) => o.status === 'COMPLETED'));
    assert.ok(ids.every((id) => completed.body.orders.some((o: { orderId: string }) => o.orderId === id)));
    const bad = await http('GET', `${urls.orchestrator}/orders?status=DONE`);
    assert.equal(bad.status, 400);
    const badCursor = await http('GET', `${urls.orchestrator}/orders?cursor=nonsense`);
    assert.equal(badCursor.status, 400);
    assert.match(badCursor.body.message, /cursor is malformed/);
  });

  test('the running services refuse requests without a token (401) or with the wrong role (403)', async () => {
    const anonymous = await http('GET', `${urls.orchestrator}/orders`, undefined, { authorization: '' });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
    for (const participant of ['inventory', 'payment', 'shipping'] as const) {
      const fault = await http(
        'POST',
        `${urls[participant]}/faults`,
        { mode: 'decline' },
        bearer('customer'),
      );
      assert.equal(fault.status, 403, `a customer cannot switch ${participant}'s faults`);
    }
    const placed = await post(orderBody());
    const foreign = await http(
      'GET',
      `${urls.orchestrator}/orders/${placed.body.orderId}`,
      undefined,
      bearer('customer'),
    );
    assert.equal(foreign.status, 404, "another customer's order is not found");
  });

  test('OpenAPI document lists the routes and the docs page is served', async () => {
    const spec = await http('GET', `${urls.orchestrator}/openapi.json`);
    assert.equal(spec.status, 200);
    assert.ok(spec.body.paths['/orders']?.post);
    assert.ok(spec.body.paths['/orders/{id}']?.get);
    const docs = await fetch(`${urls.orchestrator}/docs/`);
    assert.equal(docs.status, 200);
  });
});
