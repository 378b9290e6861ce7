/**
 * Delivery stages through the four real services: an order completes, the carrier picks its parcel
 * up and delivers it (by hand, through shipping's carrier route; the simulated carrier is off in
 * tests), a cancel in between is refused, and the order's fulfilment and order-events follow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../support/kafka-harness.ts';
import {
  getOrder,
  http,
  orderBody,
  placeOrder,
  stockOf,
  urls,
  waitForStatus,
} from '../support/system-under-test.ts';
import { bearer } from '../support/tokens.ts';
import { waitFor } from '../support/wait-for.ts';

describe('delivery stages', () => {
  let harness: KafkaHarness;
  before(async () => {
    harness = await openKafkaHarness('e2e-delivery');
  });
  after(() => harness.close());

  const carrierEvent = (shipmentId: string, type: string, at: string) =>
    http('POST', `${urls.shipping}/shipments/${shipmentId}/events`, { type, at }, bearer('carrier'));
  const fulfilmentReaches = (orderId: string, status: string) =>
    waitFor(`order ${orderId} fulfilment ${status}`, async () => {
      const { body } = await getOrder(orderId);
      return body?.fulfilment?.status === status ? body : undefined;
    });

  test('completed → carrier PICKED_UP → cancel refused (409) → DELIVERED: fulfilment with both times, OrderShipped and OrderDelivered on order-events', async () => {
    const orderEvents = await recordTopic(harness.kafka, Topics.orderEvents);
    try {
      const before = await stockOf('SKU-005');
      const body = orderBody({ sku: 'SKU-005', quantity: 1 });
      const orderId = await placeOrder(body);
      const completed = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
      assert.equal(completed.status, 'COMPLETED');
      assert.deepEqual(completed.fulfilment, { status: 'SCHEDULED', pickedUpAt: null, deliveredAt: null });

      const shipment = await http('GET', `${urls.shipping}/shipments/${orderId}`);
      assert.equal(shipment.status, 200);
      const { shipmentId } = shipment.body as { shipmentId: string };

      const early = await carrierEvent(shipmentId, 'DELIVERED', '2026-12-07T10:00:00Z');
      assert.equal(early.status, 409, 'DELIVERED before PICKED_UP');
      const pickedUpAt = new Date().toISOString();
      const picked = await carrierEvent(shipmentId, 'PICKED_UP', pickedUpAt);
      assert.equal(picked.status, 200);
      assert.equal(picked.body.status, 'PICKED_UP');
      const shipped = await fulfilmentReaches(orderId, 'PICKED_UP');
      assert.equal(shipped.status, 'COMPLETED', 'the order keeps its saga status');
      assert.equal(shipped.fulfilment.pickedUpAt, pickedUpAt);

      const cancel = await http(
        'POST',
        `${urls.orchestrator}/orders/${orderId}/cancel`,
        undefined,
        bearer('customer', body.customerId),
      );
      assert.equal(cancel.status, 409);
      assert.match(cancel.body.message, /picked up by its carrier/);

      const deliveredAt = new Date(Date.parse(pickedUpAt) + 1_000).toISOString();
      const delivered = await carrierEvent(shipmentId, 'DELIVERED', deliveredAt);
      assert.equal(delivered.status, 200);
      const again = await carrierEvent(shipmentId, 'DELIVERED', new Date().toISOString());
      assert.deepEqual(again.body, delivered.body, 'the same event twice: the same answer');
      const done = await fulfilmentReaches(orderId, 'DELIVERED');
      assert.deepEqual(done.fulfilment, { status: 'DELIVERED', pickedUpAt, deliveredAt });
      assert.equal(done.sagaState, 'delivered');
      assert.equal(await stockOf('SKU-005'), before - 1, 'nothing released: the order stands');

      const listed = await http('GET', `${urls.orchestrator}/orders?fulfilment=DELIVERED&limit=100`);
      assert.ok((listed.body.orders as Array<{ orderId: string }>).some((o) => o.orderId === orderId));

      await orderEvents.caughtUp();
      const ofOrder = await Promise.all(
        orderEvents.messages
          .filter((m) => m.key === orderId && m.value !== null)
          .map((m) => harness.codec.decode(m.value as Buffer)),
      );
      const lifecycle = ofOrder.map((r) => r.type).filter((t) => t !== 'OrderStatusChanged');
      assert.deepEqual(lifecycle, ['OrderPlaced', 'OrderCompleted', 'OrderShipped', 'OrderDelivered']);
      assert.deepEqual(
        ofOrder.filter((r) => r.type === 'OrderShipped' || r.type === 'OrderDelivered').map((r) => r.payload),
        [
          { orderId, carrier: shipment.body.carrier, pickedUpAt: Date.parse(pickedUpAt) },
          { orderId, carrier: shipment.body.carrier, deliveredAt: Date.parse(deliveredAt) },
        ],
      );
    } finally {
      await orderEvents.stop();
    }
  });
});
