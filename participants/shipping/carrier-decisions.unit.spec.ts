import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CarrierDecision, carrierMessages, decideCarrierEvent } from './carrier-decisions.ts';
import type { Shipment } from './shipping-decisions.ts';

const orderId = '7f1c0f5e-7d0e-4a8e-9b7c-1f6f0c2d3e4a';
const shipmentId = 'c5d4e3f2-3333-4444-8555-666677778888';
const pickedUpAt = new Date('2026-12-07T10:00:00.000Z');
const deliveredAt = new Date('2026-12-07T10:00:30.000Z');

const scheduled: Shipment = {
  orderId,
  shipmentId,
  status: 'SCHEDULED',
  carrier: 'DHL',
  country: 'DE',
  address: null,
  items: [{ sku: 'SKU-001', quantity: 1 }],
  failure: null,
  scheduledBy: { messageId: '0193b2c4-0000-7000-8000-000000000001', correlationId: orderId },
  pickedUpAt: null,
  deliveredAt: null,
};
const pickedUp: Shipment = { ...scheduled, status: 'PICKED_UP', pickedUpAt };
const delivered: Shipment = { ...pickedUp, status: 'DELIVERED', deliveredAt };

const refusal = (decision: CarrierDecision): string =>
  decision.kind === 'refused' ? decision.reason : assert.fail(`not refused: ${decision.kind}`);

describe('carrier decisions', () => {
  it('given a scheduled shipment, when PICKED_UP, then PICKED_UP at that time and ShipmentPickedUp', () => {
    const decision = decideCarrierEvent(scheduled, { type: 'PICKED_UP', at: pickedUpAt });
    assert.deepEqual(decision, {
      kind: 'advance',
      shipment: pickedUp,
      record: {
        type: 'ShipmentPickedUp',
        payload: { orderId, shipmentId, carrier: 'DHL', pickedUpAt: pickedUpAt.getTime() },
      },
    });
  });

  it('given a picked-up shipment, when DELIVERED, then DELIVERED with both times and ShipmentDelivered', () => {
    const decision = decideCarrierEvent(pickedUp, { type: 'DELIVERED', at: deliveredAt });
    assert.deepEqual(decision, {
      kind: 'advance',
      shipment: delivered,
      record: {
        type: 'ShipmentDelivered',
        payload: {
          orderId,
          shipmentId,
          carrier: 'DHL',
          pickedUpAt: pickedUpAt.getTime(),
          deliveredAt: deliveredAt.getTime(),
        },
      },
    });
  });

  it('given an event the shipment had already, then nothing changes and the shipment keeps its first times', () => {
    const later = new Date('2026-12-07T11:00:00Z');
    assert.deepEqual(decideCarrierEvent(pickedUp, { type: 'PICKED_UP', at: later }), {
      kind: 'repeat',
      shipment: pickedUp,
    });
    assert.deepEqual(decideCarrierEvent(delivered, { type: 'DELIVERED', at: later }), {
      kind: 'repeat',
      shipment: delivered,
    });
    // A late PICKED_UP after the delivery is a repeat too, not an error.
    assert.deepEqual(decideCarrierEvent(delivered, { type: 'PICKED_UP', at: later }), {
      kind: 'repeat',
      shipment: delivered,
    });
  });

  it('given a scheduled shipment, when DELIVERED, then refused: PICKED_UP first', () => {
    const reason = refusal(decideCarrierEvent(scheduled, { type: 'DELIVERED', at: deliveredAt }));
    assert.equal(reason, carrierMessages.notPickedUp(shipmentId));
  });

  it('given a picked-up shipment, when DELIVERED at a time before the pickup, then refused', () => {
    const early = new Date(pickedUpAt.getTime() - 1);
    const reason = refusal(decideCarrierEvent(pickedUp, { type: 'DELIVERED', at: early }));
    assert.equal(reason, carrierMessages.beforePickup(shipmentId, pickedUpAt));
  });

  it('given a cancelled shipment, when any carrier event, then refused naming the cancel', () => {
    const cancelled: Shipment = { ...scheduled, status: 'CANCELLED' };
    for (const type of ['PICKED_UP', 'DELIVERED'] as const) {
      const reason = refusal(decideCarrierEvent(cancelled, { type, at: pickedUpAt }));
      assert.equal(reason, carrierMessages.cancelled(shipmentId, type));
    }
  });

  it('given a failed or voided row (no shipment id), then refused: no carrier has it', () => {
    for (const status of ['FAILED', 'VOIDED'] as const) {
      const row: Shipment = { ...scheduled, status, shipmentId: null, carrier: null };
      assert.match(
        refusal(decideCarrierEvent(row, { type: 'PICKED_UP', at: pickedUpAt })),
        /no carrier has it/,
      );
    }
  });
});
