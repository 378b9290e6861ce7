/** The checks after quiescence: every reply and order event on Kafka and every dead letter read, then invariants 0–8. */
import type { Knex } from '../lib/db/database.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import type { ChaosRun } from './chaos-run.ts';
import type { CheckResult } from './checks/check-result.ts';
import { orderEventsCheck } from './checks/order-event-checks.ts';
import { runChecks } from './checks/run-checks.ts';
import { indexOrders, readOrderRows } from './checks/stored-orders.ts';
import { survivalCheck } from './checks/survival-check.ts';
import { scanDeadLetters } from './dead-letter-scan.ts';
import type { PlacedOrder } from './driver.ts';
import { deadLetterCounts } from './environment.ts';
import { scanOrderEvents } from './order-events-scan.ts';
import { scanReplies } from './reply-scan.ts';

export async function checkRun(
  run: ChaosRun,
  db: Knex,
  placed: readonly PlacedOrder[],
): Promise<CheckResult[]> {
  const { env, checkGroupId } = run.identity;
  const { records, cluster } = run;
  const replies = await scanReplies(env, checkGroupId);
  const orderEvents = await scanOrderEvents(env, `${checkGroupId}-order-events`);
  records.extraGroups.push(`${checkGroupId}-order-events`);
  const deadLetters = await deadLetterCounts(env);
  const letterTopics = Object.keys(deadLetters);
  const deadLetterRecords =
    letterTopics.length === 0 ? [] : await scanDeadLetters(env, letterTopics, `${checkGroupId}-dead-letters`);
  if (letterTopics.length > 0) records.extraGroups.push(`${checkGroupId}-dead-letters`);
  const checks = await runChecks({
    db,
    placed,
    replies,
    deadLetters,
    disruptions: records.disruptions,
    graceMs: 15_000,
    deadLetterRecords,
    expectedDeadLetters: run.records.expectedDeadLetters,
  });
  checks.push(orderEventsCheck(indexOrders(await readOrderRows(db), placed), orderEvents));
  checks.push(
    survivalCheck({
      instances: cluster.instances.length,
      unexpectedExits: cluster.unexpectedExits,
      findings: records.findings,
      kills: records.kills.length,
      slowLiveMs: records.slowLive,
      availability: records.availability,
      repoRoot,
    }),
  );
  return checks;
}
