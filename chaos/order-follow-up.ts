/**
 * What the run does to an order of a followed-up kind after placing it (order-mix.ts): the
 * customer's cancel while it runs or once COMPLETED, and the carrier's pickup and delivery through
 * shipping's route (the simulated carrier is off in chaos runs: the run is the carrier). Every call
 * goes to any live instance of its service and is sent again on no answer or a 5xx (each route is
 * idempotent); what was answered is kept in the order's `followUp` for the checks.
 */
import { localBearer } from '../scripts/support/local-tokens.ts';
import type { ServiceName } from '../scripts/support/service-processes.ts';
import type { ChaosRun } from './chaos-run.ts';
import type { PlacedOrder } from './driver.ts';
import type { FollowUp } from './order-mix.ts';
import type { OrderMonitor } from './order-monitor.ts';

type Answer = { status: number; body: Record<string, unknown> | null };

export class OrderFollowUp {
  readonly #run: ChaosRun;
  readonly #monitor: OrderMonitor;
  readonly #timeoutMs: number;
  #rotation = 0;

  constructor(run: ChaosRun, monitor: OrderMonitor, orderTimeoutMs: number) {
    this.#run = run;
    this.#monitor = monitor;
    this.#timeoutMs = orderTimeoutMs;
  }

  /** Acts on the order as its kind says; returns once it is done with it (the order may still be pending). */
  async after(order: PlacedOrder, orderId: string): Promise<void> {
    const followUp: FollowUp = { cancel: null, pickedUpAt: null, deliveredAt: null, problems: [] };
    order.followUp = followUp;
    switch (order.kind) {
      case 'cancel_in_flight':
        await this.#cancel(order, orderId, followUp, [200]);
        return;
      case 'cancel_completed':
        if (await this.#completed(orderId, followUp)) await this.#cancel(order, orderId, followUp, [200]);
        return;
      case 'delivered':
        if (await this.#completed(orderId, followUp)) await this.#deliver(order, orderId, followUp);
        return;
      default:
        return;
    }
  }

  /** Pickup, the customer's cancel racing it (409, or 200 and given up by the saga), delivery. */
  async #deliver(order: PlacedOrder, orderId: string, followUp: FollowUp): Promise<void> {
    const shipment = await this.#call('shipping', 'GET', `/shipments/${orderId}`, undefined, 'operator');
    const shipmentId = shipment?.body?.shipmentId;
    if (shipment?.status !== 200 || typeof shipmentId !== 'string') {
      followUp.problems.push(`GET /shipments/${orderId}: ${shipment?.status ?? 'no answer'}`);
      return;
    }
    const picked = await this.#carrierEvent(shipmentId, 'PICKED_UP', followUp);
    if (picked === null) return;
    followUp.pickedUpAt = picked.pickedUpAt;
    await this.#cancel(order, orderId, followUp, [409, 200]);
    const delivered = await this.#carrierEvent(shipmentId, 'DELIVERED', followUp);
    if (delivered !== null) followUp.deliveredAt = delivered.deliveredAt;
  }

  async #carrierEvent(
    shipmentId: string,
    type: 'PICKED_UP' | 'DELIVERED',
    followUp: FollowUp,
  ): Promise<{ pickedUpAt: string; deliveredAt: string } | null> {
    const path = `/shipments/${shipmentId}/events`;
    const answer = await this.#call(
      'shipping',
      'POST',
      path,
      { type, at: new Date().toISOString() },
      'carrier',
    );
    if (answer?.status !== 200) {
      followUp.problems.push(`${type} on shipment ${shipmentId}: ${answer?.status ?? 'no answer'}`);
      return null;
    }
    return answer.body as { pickedUpAt: string; deliveredAt: string };
  }

  /** Waits until the order is terminal; true when it is COMPLETED (anything else is the outcome check's). */
  async #completed(orderId: string, followUp: FollowUp): Promise<boolean> {
    if (!(await this.#monitor.waitTerminal(orderId, this.#timeoutMs))) {
      followUp.problems.push('not terminal in time for its follow-up');
      return false;
    }
    const order = await this.#call('orchestrator', 'GET', `/orders/${orderId}`, undefined, 'operator');
    return order?.body?.status === 'COMPLETED';
  }

  async #cancel(order: PlacedOrder, orderId: string, followUp: FollowUp, expected: number[]): Promise<void> {
    const answer = await this.#call('orchestrator', 'POST', `/orders/${orderId}/cancel`, undefined, [
      'customer',
      order.body.customerId,
    ]);
    followUp.cancel = answer?.status ?? null;
    if (answer === null || !expected.includes(answer.status))
      followUp.problems.push(
        `cancel: ${answer?.status ?? 'no answer'} ${JSON.stringify(answer?.body ?? null)}`,
      );
    // A cancel taken after COMPLETED makes the order pending again: follow it until it is terminal.
    if (answer?.status === 200) this.#monitor.watch(orderId);
  }

  /** One request to any live instance of `service`, again on no answer or a 5xx, until a deadline. */
  async #call(
    service: ServiceName,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    who: 'operator' | 'carrier' | ['customer', string],
  ): Promise<Answer | null> {
    const authorization = Array.isArray(who) ? localBearer(who[0], who[1]) : localBearer(who);
    const deadline = Date.now() + 60_000;
    const instances = this.#run.cluster.of(service);
    while (Date.now() < deadline && !this.#run.lifetime.aborted) {
      const instance = instances[this.#rotation++ % instances.length];
      if (instance === undefined) return null;
      try {
        const response = await fetch(`${instance.url}${path}`, {
          method,
          headers: {
            authorization,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? null : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status < 500) return { status: response.status, body: text ? JSON.parse(text) : null };
      } catch {
        // Killed or restarting: the next instance, after a pause.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return null;
  }
}
