/** Object-level authorization of the orchestrator: a customer places, reads and lists their own orders only. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { signToken } from '../../lib/http/sign-token.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-database.ts';
import { bearer, testAuthConfig } from '../support/tokens.ts';
import { buildServiceApp } from './service-apps.ts';

const orderBody = () => ({
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 100 }],
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'DE' },
});

describe('orders belong to the customer of the token', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  const alice = `alice-${randomUUID().slice(0, 8)}`;
  const bob = `bob-${randomUUID().slice(0, 8)}`;
  const place = (customer: string, body: object = orderBody(), headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/orders',
      payload: body,
      headers: { ...bearer('customer', customer), ...headers },
    });
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const listedIds = async (headers: Record<string, string>): Promise<string[]> => {
    const response = await get('/orders?limit=100', headers);
    assert.equal(response.statusCode, 200);
    return response.json().orders.map((o: { orderId: string }) => o.orderId);
  };

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 5 });
    app = await buildServiceApp('orchestrator', database, testAuthConfig());
  });
  after(async () => {
    await app.close();
    await database.drop();
  });

  test('the token’s subject is the customer; a body naming another customer is a 403', async () => {
    const placed = await place(alice);
    assert.equal(placed.statusCode, 202, placed.body);
    const order = await get(`/orders/${placed.json().orderId}`, bearer('operator'));
    assert.equal(order.json().customerId, alice);
    const named = await place(alice, { ...orderBody(), customerId: alice });
    assert.equal(named.statusCode, 202, 'naming oneself is allowed');
    const other = await place(alice, { ...orderBody(), customerId: bob });
    assert.equal(other.statusCode, 403);
    assert.match(other.json().message, /body\.customerId must be the token's subject/);
  });

  test('another customer’s order is a 404 like an unknown id; an operator sees it', async () => {
    const orderId = (await place(alice)).json().orderId as string;
    const own = await get(`/orders/${orderId}`, bearer('customer', alice));
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().customerId, alice);
    const foreign = await get(`/orders/${orderId}`, bearer('customer', bob));
    const unknownId = randomUUID();
    const unknown = await get(`/orders/${unknownId}`, bearer('customer', bob));
    assert.equal(foreign.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    assert.equal(foreign.json().message, `order ${orderId} does not exist`);
    assert.equal((await get(`/orders/${orderId}`, bearer('operator'))).statusCode, 200);
  });

  test('a customer lists their own orders only (cursor pages too); an operator lists everyone’s', async () => {
    const alices = [(await place(alice)).json().orderId, (await place(alice)).json().orderId] as string[];
    const bobs = (await place(bob)).json().orderId as string;
    const aliceList = await listedIds(bearer('customer', alice));
    assert.ok(alices.every((id) => aliceList.includes(id)));
    assert.ok(!aliceList.includes(bobs));
    assert.deepEqual(await listedIds(bearer('customer', bob)), [bobs]);
    const all = await listedIds(bearer('operator'));
    assert.ok([...alices, bobs].every((id) => all.includes(id)));
    const page1 = await get('/orders?limit=1', bearer('customer', bob));
    assert.equal(page1.json().nextCursor, null, 'bob has one order: no second page');
    const alicePage = await get('/orders?limit=1', bearer('customer', alice));
    const next = await get(
      `/orders?limit=100&cursor=${alicePage.json().nextCursor}`,
      bearer('customer', alice),
    );
    assert.ok(next.json().orders.every((o: { customerId: string }) => o.customerId === alice));
  });

  test('another customer’s Idempotency-Key is a 422 that does not name their order', async () => {
    const key = `key-${randomUUID()}`;
    const first = await place(alice, orderBody(), { 'idempotency-key': key });
    assert.equal(first.statusCode, 202);
    const reused = await place(bob, orderBody(), { 'idempotency-key': key });
    assert.equal(reused.statusCode, 422);
    assert.ok(!reused.body.includes(first.json().orderId), 'the answer does not leak the order id');
  });

  test('an expired token or one with a bad signature is a 401 saying why', async () => {
    const expired = await get('/orders', bearer('customer', alice, { ttlS: -60 }));
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().message, 'token expired');
    const forged = signToken(
      { sub: alice, roles: ['operator'] },
      { alg: 'HS256', secret: randomBytes(32).toString('hex') },
    );
    const badSignature = await get('/orders', { authorization: `Bearer ${forged}` });
    assert.equal(badSignature.statusCode, 401);
    assert.match(badSignature.json().message, /token is invalid/);
  });
});
