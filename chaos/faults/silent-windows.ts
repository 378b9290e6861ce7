/**
 * Silent windows: one participant silent for one command on every instance. Each window holds back
 * every order kind whose saga would reach the command, waits until none may still need it, sets
 * the fault, places the window's silent orders and closes once each of them gave up on the command.
 */

import { localBearer } from '../../scripts/support/local-tokens.ts';
import type { ChaosRun } from '../chaos-run.ts';
import type { ParticipantName } from '../cluster.ts';
import { seconds } from '../event-log.ts';
import { forwardBudgetMs } from '../options.ts';
import type { OrderFlow } from '../order-flow.ts';
import type { OrderMonitor } from '../order-monitor.ts';
import type { WindowPlan } from '../run-plan.ts';
import { kindsReaching, silencedParticipant, statesUpTo } from './silenced-commands.ts';

/** Sets (`body`) or clears (null) the fault on every instance of the participant (POST/DELETE /faults). */
export async function setFault(
  run: ChaosRun,
  participant: ParticipantName,
  body: Record<string, unknown> | null,
): Promise<void> {
  for (const instance of run.cluster.of(participant)) {
    const authorization = localBearer('operator', 'chaos');
    const response = await fetch(`${instance.url}/faults`, {
      method: body === null ? 'DELETE' : 'POST',
      ...(body === null
        ? { headers: { authorization } }
        : { headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (response.status !== (body === null ? 204 : 200))
      throw new Error(
        `${body === null ? 'DELETE' : 'POST'} /faults on ${instance.label}: ${response.status} ${text}`,
      );
  }
}

async function silentWindow(
  run: ChaosRun,
  flow: OrderFlow,
  monitor: OrderMonitor,
  plan: WindowPlan,
  number: number,
  firstN: number,
): Promise<void> {
  const { cluster, faults, records, lifetime, log, options } = run;
  const participant = silencedParticipant[plan.command];
  const risky = new Set<string>(statesUpTo[plan.command]);
  const kinds = kindsReaching[plan.command];
  // one window at a time: a compensation-fault window (compensation-windows.ts) may be open
  while (faults.silenced !== null) await lifetime.sleep(250);
  const at = run.clock.since();
  const from = Date.now();
  // From now on no kill picks this participant: its instances must keep the fault once it is set.
  faults.silenced = participant;
  flow.hold(kinds);
  log.say(
    `silent window ${number}/${run.plan.windowPlans.length}: holding back ${kinds.join(', ')} orders until none may still need ${plan.command}`,
  );
  const release = () => {
    faults.silenced = null;
    flow.release(kinds);
  };
  const instances = cluster.of(participant);
  const drainDeadline = Date.now() + forwardBudgetMs(options) * 2 + 120_000;
  for (;;) {
    const inFlight = flow.placingHeld();
    const needing = flow.heldPendingIn(risky);
    const restarting = instances.filter((i) => faults.down.has(i.label) || !cluster.alive(i)).length;
    if (!inFlight && needing === 0 && restarting === 0) break;
    if (Date.now() > drainDeadline) {
      records.findings.push(
        `silent window ${number}: ${needing} orders still needed ${plan.command} (${restarting} ${participant} instances down) after ${seconds(Date.now() - from)}; window skipped`,
      );
      release();
      return;
    }
    await lifetime.sleep(250);
  }
  const drainMs = Date.now() - from;
  const silentFrom = Date.now();
  const ids: string[] = [];
  let completed = false;
  try {
    await setFault(run, participant, { mode: 'silent', commands: [plan.command] });
    log.say(
      `silent window ${number}: every ${participant} instance silent for ${plan.command}; placing ${plan.orders} silent orders`,
    );
    const orders = Array.from({ length: plan.orders }, (_, i) => flow.newPlaced(firstN + i, 'silent'));
    for (const id of await Promise.all(orders.map((order) => flow.placeAndWatch(order))))
      if (id !== null) ids.push(id);
    // Closed once every silent order has given up on the command (all its attempts timed out).
    const deadline = Date.now() + forwardBudgetMs(options) * 2 + 120_000;
    for (;;) {
      const waiting = ids.filter((id) => risky.has(monitor.pendingStates().get(id) ?? 'done'));
      if (waiting.length === 0) {
        completed = true;
        break;
      }
      if (Date.now() > deadline) {
        records.findings.push(
          `silent window ${number}: ${waiting.length} silent orders still waited for ${plan.command} after ${seconds(Date.now() - silentFrom)}`,
        );
        break;
      }
      await lifetime.sleep(250);
    }
  } finally {
    await setFault(run, participant, null).catch((error: unknown) =>
      records.findings.push(
        `silent window ${number}: could not clear the fault: ${(error as Error).message}`,
      ),
    );
    release();
  }
  const silentMs = Date.now() - silentFrom;
  records.windows.push({ command: plan.command, at, orders: ids.length, drainMs, silentMs, completed });
  log.say(`silent window ${number}: closed after ${seconds(silentMs)} (drain took ${seconds(drainMs)})`);
}

/** The run's silent windows, one after the other at their planned moments; silent orders number after the regular ones. */
export async function silenceLane(run: ChaosRun, flow: OrderFlow, monitor: OrderMonitor): Promise<void> {
  let n = run.plan.regularCount + 1;
  for (const [w, plan] of run.plan.windowPlans.entries()) {
    await run.clock.sleepUntil(plan.at);
    await silentWindow(run, flow, monitor, plan, w + 1, n);
    n += plan.orders;
  }
}
