import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaultState } from './fault-state.ts';

describe('fault state: the victim of a kill (pure)', () => {
  test('the planned instance, unless its service is silenced: then the same instance of the next service', () => {
    const faults = new FaultState();
    assert.equal(faults.victimFor('payment-2'), 'payment-2');
    faults.silenced = 'payment';
    assert.equal(faults.victimFor('payment-2'), 'shipping-2');
    assert.equal(faults.victimFor('inventory-1'), 'inventory-1');
    faults.silenced = 'shipping';
    assert.equal(faults.victimFor('shipping-1'), 'orchestrator-1', 'the services wrap around');
  });
});
