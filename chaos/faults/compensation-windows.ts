/**
 * Compensation-fault windows: a `fail` fault on RefundPayment on every payment instance. Each window
 * holds back every order kind that may need a refund, waits until none may still need one, sets the
 * fault and places its orders (a carrier-less destination: shipping fails, the refund is due). Every
 * refund is dead-lettered, attempt after attempt, until the saga gives up: FAILED. Then the fault is
 * cleared and the run retries each one as an operator (`POST /orders/:id/retry`, the API's retry):
 * it must end CANCELLED (shipping_failed), refunded and released, like any unserved order.
 */
import { localBearer } from '../../scripts/support/local-tokens.ts';
import type { ChaosRun } from '../chaos-run.ts';
import { seconds } from '../event-log.ts';
import { compensationBudgetMs, forwardBudgetMs } from '../options.ts';
import type { OrderFlow } from '../order-flow.ts';
import type { OrderKind } from '../order-mix.ts';
import type { OrderMonitor } from '../order-monitor.ts';
import { compensationOrders } from './fault-plans.ts';
import { setFault } from './silent-windows.ts';

/**
 * Kinds whose saga may send RefundPayment: a charge refunded after a shipping failure or a timeout —
 * the silent orders too (held: none is placed meanwhile, and the drain waits for those compensating
 * after their window; the first medium run failed six of them, seed 3902).
 */
const kindsRefunded: readonly OrderKind[] = ['happy', 'declined', 'unserved', 'silent'];
export const failedCompensation = { participant: 'payment', command: 'RefundPayment' } as const;

interface OrderView {
  status: string;
  cancelReason?: string | null;
}

async function orderStatus(run: ChaosRun, orderId: string): Promise<string | null> {
  for (const instance of run.cluster.of('orchestrator')) {
    try {
      const response = await fetch(`${instance.url}/orders/${orderId}`, {
        headers: { authorization: localBearer('operator', 'chaos') },
        signal: AbortSignal.timeout(3_000),
      });
      if (response.ok) return ((await response.json()) as OrderView).status;
    } catch {
      // that instance is down: the next one
    }
  }
  return null;
}

async function retryAsOperator(run: ChaosRun, orderId: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const instance of run.cluster.of('orchestrator')) {
      try {
        const response = await fetch(`${instance.url}/orders/${orderId}/retry`, {
          method: 'POST',
          headers: { authorization: localBearer('operator', 'chaos') },
          signal: AbortSignal.timeout(5_000),
        });
        const text = await response.text();
        if (response.status === 202) return 'retried';
        if (response.status < 500) return `${response.status} ${text.slice(0, 200)}`;
      } catch {
        // that instance is down: the next one
      }
    }
    await run.lifetime.sleep(1_000);
  }
  return 'no orchestrator answered';
}

/** Polls until every order has `status` (or the deadline); the ones that did not. */
async function waitStatus(
  run: ChaosRun,
  ids: readonly string[],
  status: string,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...ids];
  while (waiting.length > 0 && Date.now() < deadline) {
    const states = await Promise.all(waiting.map((id) => orderStatus(run, id)));
    waiting = waiting.filter((_, i) => states[i] !== status);
    if (waiting.length > 0) await run.lifetime.sleep(1_000);
  }
  return waiting;
}

async function compensationWindow(
  run: ChaosRun,
  flow: OrderFlow,
  monitor: OrderMonitor,
  number: number,
  firstN: number,
): Promise<void> {
  const { cluster, faults, records, lifetime, log, options } = run;
  const { participant, command } = failedCompensation;
  while (faults.silenced !== null) await lifetime.sleep(250);
  const at = run.clock.since();
  const from = Date.now();
  faults.silenced = participant;
  flow.hold(kindsRefunded);
  log.say(
    `compensation window ${number}: holding back ${kindsRefunded.join(', ')} orders until none may need ${command}`,
  );
  const ids: string[] = [];
  let outcome = '';
  try {
    const drainDeadline =
      Date.now() + (forwardBudgetMs(options) + compensationBudgetMs(options)) * 2 + 120_000;
    for (;;) {
      const pending = new Set(monitor.pendingStates().values());
      const down = cluster
        .of(participant)
        .filter((i) => faults.down.has(i.label) || !cluster.alive(i)).length;
      if (!flow.placingHeld() && flow.heldPendingIn(pending) === 0 && down === 0) break;
      if (Date.now() > drainDeadline) {
        records.findings.push(
          `compensation window ${number}: orders still in flight after ${seconds(Date.now() - from)}; window skipped`,
        );
        return;
      }
      await lifetime.sleep(250);
    }
    await setFault(run, participant, { mode: 'fail', commands: [command] });
    // every refund of the window's orders is dead-lettered (check 5d allows those, and only those)
    const expected = { topic: `${participant}-commands-dlt`, recordType: command, orderIds: ids };
    records.expectedDeadLetters.push(expected);
    log.say(
      `compensation window ${number}: ${command} fails on every ${participant} instance; placing ${compensationOrders} unserved orders`,
    );
    for (let i = 0; i < compensationOrders; i++) {
      const id = await flow.placeAndWatch(flow.newPlaced(firstN + i, 'unserved'));
      if (id !== null) ids.push(id);
    }
    const notFailed = await waitStatus(
      run,
      ids,
      'FAILED',
      forwardBudgetMs(options) + compensationBudgetMs(options) * 2 + 60_000,
    );
    if (notFailed.length > 0)
      records.findings.push(
        `compensation window ${number}: ${notFailed.join(', ')} never FAILED while ${command} failed`,
      );
    outcome = `${ids.length - notFailed.length}/${ids.length} FAILED after ${seconds(Date.now() - from)}`;
  } finally {
    await setFault(run, participant, null).catch((error: unknown) =>
      records.findings.push(
        `compensation window ${number}: could not clear the fault: ${(error as Error).message}`,
      ),
    );
    faults.silenced = null;
    flow.release(kindsRefunded);
  }
  // the operator's retry, once the fault is gone: each FAILED saga compensates again to CANCELLED
  const retryFrom = Date.now();
  for (const id of ids) {
    const result = await retryAsOperator(run, id);
    if (result !== 'retried')
      records.findings.push(`compensation window ${number}: retry of ${id}: ${result}`);
    monitor.watch(id);
  }
  const notCancelled = await waitStatus(run, ids, 'CANCELLED', compensationBudgetMs(options) + 60_000);
  if (notCancelled.length > 0)
    records.findings.push(
      `compensation window ${number}: ${notCancelled.join(', ')} not CANCELLED after the operator's retry`,
    );
  records.faults.push({
    kind: 'compensation-fault',
    at,
    target: `${command} on ${participant}, ${ids.length} orders`,
    durationMs: retryFrom - from,
    outcome: `${outcome}; retried: ${ids.length - notCancelled.length} CANCELLED within ${seconds(Date.now() - retryFrom)}`,
  });
  log.say(
    `compensation window ${number}: ${outcome}; after the retry ${ids.length - notCancelled.length}/${ids.length} CANCELLED`,
  );
}

/** The run's compensation windows at their planned moments; their orders number after the silent ones. */
export async function compensationLane(run: ChaosRun, flow: OrderFlow, monitor: OrderMonitor): Promise<void> {
  let n = run.plan.regularCount + run.plan.windows * run.options.silentOrders + 1;
  for (const [w, at] of run.plan.faultPlans.compensationWindows.entries()) {
    await run.clock.sleepUntil(at);
    await compensationWindow(run, flow, monitor, w + 1, n);
    n += compensationOrders;
  }
}
