import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShippingAddress } from '../../lib/contracts/generated.ts';
import {
  carrierFor,
  carriers,
  decideShipping,
  type Shipment,
  type ShippingCommand,
  type ShippingDecision,
  shippingMessages,
} from './shipping-decisions.ts';

const orderId = '7f1c0f5e-7d0e-4a8e-9b7c-1f6f0c2d3e4a';
const shipmentId = 'c5d4e3f2-3333-4444-8555-666677778888';
const scheduledBy = { messageId: '0193b2c4-0000-7000-8000-000000000001', correlationId: orderId };
const options = {
  newShipmentId: shipmentId,
  scheduledBy,
  decline: false,
  unservedCountries: new Set(['AQ']),
};

const address = (country: string): ShippingAddress => ({
  name: 'Ada',
  line1: '1 Main St',
  line2: null,
  city: 'Berlin',
  postalCode: '10115',
  country,
});
const items = [{ sku: 'SKU-001', quantity: 2 }];
const schedule = (country = 'DE'): ShippingCommand => ({
  type: 'ScheduleShipping',
  payload: { orderId, address: address(country), items },
});
const cancel: ShippingCommand = { type: 'CancelShipping', payload: { orderId, reason: 'order cancelled' } };

const scheduledRow: Shipment = {
  orderId,
  shipmentId,
  status: 'SCHEDULED',
  carrier: 'DHL',
  country: 'DE',
  address: address('DE'),
  items,
  failure: null,
  scheduledBy,
  pickedUpAt: null,
  deliveredAt: null,
};
const voided: Shipment = {
  orderId,
  shipmentId: null,
  status: 'VOIDED',
  carrier: null,
  country: null,
  address: null,
  items: [],
  failure: null,
  scheduledBy: null,
  pickedUpAt: null,
  deliveredAt: null,
};

function replyOf(decision: ShippingDecision) {
  assert.equal(decision.kind, 'reply');
  return decision.kind === 'reply' ? decision : assert.fail('not a reply');
}

describe('shipping decisions: carrier', () => {
  it('is chosen deterministically from the country', () => {
    assert.equal(carrierFor('DE'), 'DHL');
    assert.equal(carrierFor('US'), 'UPS');
    for (const country of ['ZA', 'NZ', 'KE', 'AR']) {
      assert.equal(carrierFor(country), carrierFor(country));
      assert.ok((carriers as readonly string[]).includes(carrierFor(country)));
    }
  });
});

describe('shipping decisions: ScheduleShipping', () => {
  it('given a served country, when scheduling, then ShippingScheduled with the shipment id and its carrier', () => {
    const decision = replyOf(decideShipping(schedule('DE'), { shipment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingScheduled',
      payload: { orderId, shipmentId, carrier: 'DHL' },
    });
    assert.deepEqual(decision.change, { kind: 'schedule', shipment: scheduledRow });
  });

  it('given a lower-case country code, when scheduling, then it is normalized', () => {
    const decision = replyOf(decideShipping(schedule('de'), { shipment: null }, options));
    assert.equal(decision.reply.type, 'ShippingScheduled');
  });

  it('given an unserved country, when scheduling, then ShippingFailed unserved_destination naming the country is recorded', () => {
    const decision = replyOf(decideShipping(schedule('AQ'), { shipment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingFailed',
      payload: { orderId, reason: 'unserved_destination', message: shippingMessages.unserved('AQ') },
    });
    assert.match(shippingMessages.unserved('AQ'), /\bAQ\b/);
    assert.equal(decision.change.kind, 'fail');
    if (decision.change.kind === 'fail') {
      assert.deepEqual(decision.change.shipment.failure, {
        reason: 'unserved_destination',
        message: shippingMessages.unserved('AQ'),
      });
    }
  });

  it('given a configured unserved list, when scheduling, then it is honoured', () => {
    const decision = replyOf(
      decideShipping(schedule('DE'), { shipment: null }, { ...options, unservedCountries: new Set(['DE']) }),
    );
    assert.equal(decision.reply.type, 'ShippingFailed');
  });

  it('given a malformed country, when scheduling, then ShippingFailed unserved_destination', () => {
    const decision = replyOf(decideShipping(schedule('Germany'), { shipment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingFailed',
      payload: {
        orderId,
        reason: 'unserved_destination',
        message: shippingMessages.invalidCountry('Germany'),
      },
    });
  });

  it('given the decline fault, when scheduling, then ShippingFailed fault_injected is recorded', () => {
    const decision = replyOf(
      decideShipping(schedule('DE'), { shipment: null }, { ...options, decline: true }),
    );
    assert.deepEqual(decision.reply, {
      type: 'ShippingFailed',
      payload: { orderId, reason: 'fault_injected', message: shippingMessages.faultInjected },
    });
    assert.equal(decision.change.kind, 'fail');
  });

  it('given a scheduled shipment, when ScheduleShipping repeats, then the same ShippingScheduled and no change', () => {
    const decision = replyOf(
      decideShipping(
        schedule('FR'),
        { shipment: scheduledRow },
        { ...options, newShipmentId: 'x', decline: true },
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'ShippingScheduled',
      payload: { orderId, shipmentId, carrier: 'DHL' },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a recorded failure, when ScheduleShipping repeats, then the first answer is repeated', () => {
    const failedRow: Shipment = {
      ...scheduledRow,
      shipmentId: null,
      status: 'FAILED',
      carrier: null,
      country: 'AQ',
      failure: { reason: 'unserved_destination', message: shippingMessages.unserved('AQ') },
    };
    const decision = replyOf(decideShipping(schedule('DE'), { shipment: failedRow }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingFailed',
      payload: { orderId, reason: 'unserved_destination', message: shippingMessages.unserved('AQ') },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a void tombstone, when a late ScheduleShipping arrives, then ShippingFailed, a warning, and nothing scheduled', () => {
    const decision = replyOf(decideShipping(schedule('DE'), { shipment: voided }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingFailed',
      payload: { orderId, reason: 'unserved_destination', message: shippingMessages.voided },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.notEqual(decision.warning, null);
  });

  it('given a cancelled shipment, when ScheduleShipping arrives again, then it is not scheduled again', () => {
    const decision = replyOf(
      decideShipping(schedule('DE'), { shipment: { ...scheduledRow, status: 'CANCELLED' } }, options),
    );
    assert.equal(decision.reply.type, 'ShippingFailed');
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given no items, when scheduling, then the command is invalid', () => {
    const command: ShippingCommand = {
      type: 'ScheduleShipping',
      payload: { orderId, address: address('DE'), items: [] },
    };
    assert.equal(decideShipping(command, { shipment: null }, options).kind, 'invalid');
  });
});

describe('shipping decisions: CancelShipping', () => {
  it('given a scheduled shipment, when cancelling, then it is CANCELLED and cancelled=true', () => {
    const decision = replyOf(decideShipping(cancel, { shipment: scheduledRow }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: true, parcel: null },
    });
    assert.deepEqual(decision.change, { kind: 'cancel', shipment: { ...scheduledRow, status: 'CANCELLED' } });
  });

  it('given a cancelled shipment, when cancelling again, then the same answer and no change', () => {
    const decision = replyOf(
      decideShipping(cancel, { shipment: { ...scheduledRow, status: 'CANCELLED' } }, options),
    );
    assert.deepEqual(decision.reply, {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: true, parcel: null },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given nothing scheduled, when cancelling, then cancelled=false and a VOIDED tombstone', () => {
    const decision = replyOf(decideShipping(cancel, { shipment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: false, parcel: null },
    });
    assert.deepEqual(decision.change, { kind: 'void', shipment: voided });
  });

  it('given a tombstone or a failed shipment, when cancelling, then cancelled=false and no change', () => {
    const failedRow: Shipment = {
      ...voided,
      status: 'FAILED',
      failure: { reason: 'unserved_destination', message: 'x' },
    };
    for (const shipment of [voided, failedRow]) {
      const decision = replyOf(decideShipping(cancel, { shipment }, options));
      assert.deepEqual(decision.reply, {
        type: 'ShippingCancelled',
        payload: { orderId, cancelled: false, parcel: null },
      });
      assert.deepEqual(decision.change, { kind: 'none' });
    }
  });

  it('given a shipment its carrier picked up or delivered, when cancelling, then cancelled=false with where the parcel is, no change and a warning', () => {
    const pickedUpAt = new Date('2026-12-07T10:00:00Z');
    const deliveredAt = new Date('2026-12-07T11:00:00Z');
    const cases = [
      { status: 'PICKED_UP', deliveredAt: null },
      { status: 'DELIVERED', deliveredAt },
    ] as const;
    for (const { status, deliveredAt: delivered } of cases) {
      const shipment: Shipment = { ...scheduledRow, status, pickedUpAt, deliveredAt: delivered };
      const decision = replyOf(decideShipping(cancel, { shipment }, options));
      assert.deepEqual(decision.reply, {
        type: 'ShippingCancelled',
        payload: {
          orderId,
          cancelled: false,
          parcel: {
            carrier: 'DHL',
            pickedUpAt: pickedUpAt.getTime(),
            deliveredAt: delivered?.getTime() ?? null,
          },
        },
      });
      assert.deepEqual(decision.change, { kind: 'none' });
      assert.match(decision.warning ?? '', /picked up/);
    }
  });

  it('given a shipment its carrier picked up, when ScheduleShipping repeats, then the first answer', () => {
    const shipment: Shipment = { ...scheduledRow, status: 'PICKED_UP', pickedUpAt: new Date() };
    const decision = replyOf(decideShipping(schedule('DE'), { shipment }, options));
    assert.deepEqual(decision.reply, {
      type: 'ShippingScheduled',
      payload: { orderId, shipmentId, carrier: 'DHL' },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given the decline fault, when cancelling, then the compensation is not affected', () => {
    const decision = replyOf(
      decideShipping(cancel, { shipment: scheduledRow }, { ...options, decline: true }),
    );
    assert.equal(decision.change.kind, 'cancel');
  });
});
