/**
 * Quiescence after the drive: every order terminal, the four outboxes empty, zero consumer lag and
 * every instance ready, three polls in a row, within --timeout-s. Not reaching it is a finding.
 */
import type { Knex } from '../lib/db/database.ts';
import type { ChaosRun } from './chaos-run.ts';
import { consumerLag } from './environment.ts';

async function count(db: Knex, sql: string): Promise<number> {
  const result: { rows: Array<{ n: number }> } = await db.raw(sql);
  return Number(result.rows[0]?.n ?? 0);
}

export async function waitForQuiescence(run: ChaosRun, db: Knex): Promise<boolean> {
  const { options, cluster, log } = run;
  const deadline = Date.now() + options.timeoutS * 1000;
  let stable = 0;
  let last = '';
  while (Date.now() < deadline) {
    const pending = await count(db, `select count(*)::int as n from orders.orders where status = 'PENDING'`);
    let outbox = 0;
    for (const schema of ['orders', 'inventory', 'payment', 'shipping'])
      outbox += await count(db, `select count(*)::int as n from ${schema}.outbox`);
    const lag = await consumerLag(run.identity.env).catch(() => null);
    const lagTotal = lag === null ? -1 : Object.values(lag).reduce((a, b) => a + b, 0);
    const notReady = await cluster.notReady();
    const state = `pending orders ${pending}, outbox rows ${outbox}, consumer lag ${lag === null ? '?' : JSON.stringify(lag)}, not ready: ${notReady.join(', ') || 'none'}`;
    if (state !== last) log.say(`quiescence: ${state}`);
    last = state;
    if (pending === 0 && outbox === 0 && lagTotal === 0 && notReady.length === 0) {
      stable += 1;
      if (stable >= 3) return true;
    } else {
      stable = 0;
    }
    await run.lifetime.sleep(1_000);
  }
  run.records.findings.push(`no quiescence within --timeout-s ${options.timeoutS}: ${last}`);
  return false;
}
