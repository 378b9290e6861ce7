import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newOrderRecord } from '../../test/support/saga-fixtures.ts';
import { pricingOf, storedSagaJson, withPricing } from './order-pricing.ts';
import { start } from './order-saga.machine.ts';
import type { PersistedSaga } from './saga-types.ts';

const order = {
  ...newOrderRecord(),
  items: [
    { sku: 'SKU-001', quantity: 2, unitPrice: 1999 },
    { sku: 'SKU-002', quantity: 1, unitPrice: null },
  ],
};

const retryPolicy = { forwardAttempts: 3, compensationAttempts: 3 };

/** A context as sagas stored it before they priced orders (no pricing, no catalog). */
const legacy = (value: PersistedSaga['value'], total: number | null) => ({
  persisted: {
    value,
    context: {
      orderId: order.orderId,
      retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
      attempt: 1,
      round: 0,
      cancelReason: null,
      failure: null,
    },
  } as unknown as PersistedSaga,
  order: { ...order, total },
});

describe('order pricing of a saga', () => {
  it("prices with the order's currency and lines; a missing unit price expects nothing", () => {
    assert.deepEqual(pricingOf(order), {
      currency: 'EUR',
      lines: [
        { sku: 'SKU-001', quantity: 2, expectedUnitPrice: 1999 },
        { sku: 'SKU-002', quantity: 1, expectedUnitPrice: null },
      ],
    });
  });

  it('leaves a saga that has its pricing as it is (the same object)', () => {
    const { persisted } = legacy('processingPayment', 3998);
    const priced = withPricing(persisted, order);
    assert.equal(withPricing(priced, order), priced);
  });

  it('a stored saga still reserving gets its pricing and no catalog: the catalog decides', () => {
    const { persisted, order: stored } = legacy('reservingStock', 3998);
    const { context } = withPricing(persisted, stored);
    assert.deepEqual(context.pricing, pricingOf(stored));
    assert.equal(context.catalog, null);
  });

  it('a stored saga past the reservation keeps the total it accepted (its ProcessPayment was built from it)', () => {
    const { persisted, order: stored } = legacy('processingPayment', 3998);
    const { value, context } = withPricing(persisted, stored);
    assert.equal(value, 'processingPayment');
    assert.deepEqual(context.catalog, { total: 3998, unitPrices: { 'SKU-001': 1999 } });
  });

  it("stores a saga without its pricing and restores the same saga from its order's row", () => {
    const persisted = {
      value: 'processingPayment' as const,
      context: {
        ...start({ orderId: order.orderId, retryPolicy, pricing: pricingOf(order) }).snapshot.context,
        catalog: { total: 4997, unitPrices: { 'SKU-001': 1999, 'SKU-002': 999 } },
      },
    };
    const stored = JSON.parse(storedSagaJson(persisted));
    assert.equal('pricing' in stored.context, false, 'the row does not repeat the order lines');
    assert.deepEqual(withPricing(stored, order), persisted);
  });

  it('a stored saga still reserving has a null catalog, not a legacy one', () => {
    const persisted = {
      value: 'reservingStock' as const,
      context: start({ orderId: order.orderId, retryPolicy, pricing: pricingOf(order) }).snapshot.context,
    };
    const restored = withPricing(JSON.parse(storedSagaJson(persisted)), { ...order, total: 3998 });
    assert.equal(restored.context.catalog, null);
    assert.deepEqual(restored, persisted);
  });
});
