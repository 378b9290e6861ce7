import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorOf, callerOf, faultsTarget, orderIdOfTarget, orderTarget, skuTarget } from './audit-entry.ts';

describe('audit entries', () => {
  it('the caller is the authenticated principal; a route without one refuses to record', () => {
    assert.throws(
      () => callerOf({ principal: null, id: 'req-1', url: '/x' }),
      /no principal on a protected route/,
    );
    assert.deepEqual(callerOf({ principal: { sub: 'ops-1', roles: ['operator'] }, id: 'req-1', url: '/x' }), {
      actor: 'ops-1',
      role: 'operator',
      correlationId: 'req-1',
    });
  });

  it('the role recorded is operator whenever the principal has it', () => {
    assert.deepEqual(actorOf({ sub: 'ops-ada', roles: ['customer', 'operator'] }), {
      actor: 'ops-ada',
      role: 'operator',
    });
    assert.deepEqual(actorOf({ sub: 'c-42', roles: ['customer'] }), { actor: 'c-42', role: 'customer' });
    assert.deepEqual(actorOf({ sub: 'nobody', roles: [] }), { actor: 'nobody', role: 'none' });
  });

  it('only an order target yields an order id (for the order-id header)', () => {
    const orderId = '01939b6e-2c4a-7d2e-8f00-0123456789ab';
    assert.equal(orderIdOfTarget(orderTarget(orderId)), orderId);
    assert.equal(orderIdOfTarget(faultsTarget('payment')), null);
    assert.equal(orderIdOfTarget(skuTarget('SKU-001')), null);
    assert.equal(orderIdOfTarget('order:not-a-uuid'), null);
  });
});
