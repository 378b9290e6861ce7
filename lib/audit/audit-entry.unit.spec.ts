import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorOf, callerOf, faultsTarget, orderIdOfTarget, orderTarget, skuTarget } from './audit-entry.ts';

describe('audit entries', () => {
  it('a request without a principal is recorded as anonymous, role none', () => {
    assert.deepEqual(actorOf(null), { actor: 'anonymous', role: 'none' });
    assert.deepEqual(actorOf(undefined), { actor: 'anonymous', role: 'none' });
    assert.deepEqual(callerOf({ id: 'req-1' }), { actor: 'anonymous', role: 'none', correlationId: 'req-1' });
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
