import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { timeOrderedIds } from '../../../lib/ids.ts';
import { claimNewMessages } from '../../../lib/inbox/inbox.ts';
import { pruneInboxBatch, uuidV7LowerBound } from '../../../lib/maintenance/inbox-pruner.ts';
import { startPruner } from '../../../lib/maintenance/pruner.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';

const silent = pino({ level: 'silent' });
const hourMs = 3_600_000;
const retentionMs = 24 * hourMs;
const schema = 'payment';

describe('pruning the inbox (PostgreSQL, injected clock)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase();
  });
  after(async () => database.drop());

  /** Messages made `madeHoursAgo` and processed `processedHoursAgo`, recorded as the consumer does. */
  async function processed(count: number, madeHoursAgo: number, processedHoursAgo: number, now: Date) {
    const newId = timeOrderedIds(() => now.getTime() - madeHoursAgo * hourMs);
    const entries = Array.from({ length: count }, () => ({
      messageId: newId(),
      topic: 'payment-commands',
      recordType: 'AuthorizePayment',
    }));
    await database.units.run((unit) => claimNewMessages(unit, schema, entries));
    const ids = entries.map((e) => e.messageId);
    await database
      .db(`${schema}.inbox`)
      .whereIn('message_id', ids)
      .update({ processed_at: new Date(now.getTime() - processedHoursAgo * hourMs) });
    return entries;
  }

  const stored = async (ids: readonly string[]) =>
    (await database.db(`${schema}.inbox`).whereIn('message_id', ids).select('message_id')).length;

  test('old rows are pruned in batches, recent ones stay, and a recent message is still deduplicated', async () => {
    const now = new Date();
    const old = await processed(25, 50, 49, now);
    const recent = await processed(10, 2, 1, now);
    // Made long ago, processed recently (a lagging consumer or a DLT replay): it stays.
    const lateProcessed = await processed(3, 72, 1, now);

    const pruner = startPruner({
      tasks: [
        {
          name: 'inbox',
          pruneBatch: (at, limit) =>
            pruneInboxBatch(database.db, schema, new Date(at.getTime() - retentionMs), limit),
        },
      ],
      clock: () => now,
      logger: silent,
      intervalMs: 3_600_000,
      batchSize: 10, // three batches: 10, 10, 5
    });
    try {
      assert.deepEqual(await pruner.pruneOnce(), { inbox: 25 });
    } finally {
      await pruner.stop();
    }
    const ids = (entries: ReadonlyArray<{ messageId: string }>) => entries.map((e) => e.messageId);
    assert.equal(await stored(ids(old)), 0, 'every old row is gone');
    assert.equal(await stored(ids(recent)), recent.length, 'recent rows stay');
    assert.equal(await stored(ids(lateProcessed)), lateProcessed.length, 'recently processed rows stay');

    // A recent message delivered again is still recognised (no effect the second time).
    const again = await database.units.run((unit) =>
      claimNewMessages(unit, schema, [...recent, ...lateProcessed]),
    );
    assert.equal(again.size, 0);
  });

  test("the pruner's statement walks the primary key, no index of its own", async () => {
    const cutoff = new Date(Date.now() - retentionMs);
    // Enough rows that the planner prefers the index over a scan of the whole table.
    await processed(20_000, 1, 0, new Date());
    await database.db.raw(`analyze ${schema}.inbox`);
    const plan = await database.db.raw(
      `explain delete from ${schema}.inbox where message_id in (
         select message_id from ${schema}.inbox where message_id < ?::uuid and processed_at < ?
          order by message_id limit 1000)`,
      [uuidV7LowerBound(cutoff.getTime()), cutoff],
    );
    const text = (plan.rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(text, /Index Scan using inbox_pkey/, text);
    assert.doesNotMatch(text, /Seq Scan/, text);
    assert.equal(await pruneInboxBatch(database.db, schema, cutoff, 1000), 0);
  });
});
