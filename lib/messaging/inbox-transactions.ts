import { GroupCommit } from '../db/group-commit.ts';
import type { UnitOfWorkRunner } from '../db/unit-of-work.ts';
import { AlreadyProcessedError, claimNewMessages, recordAllAsNew } from '../inbox/inbox.ts';
import type { BatchHandler, IncomingMessage } from './incoming-message.ts';

/**
 * One transaction: records the messages' ids in the inbox and hands the ones seen for the first time
 * (first occurrence only, in order) to the handler. Concurrent callers with the same message (two
 * instances after a rebalance, a redelivery) serialise on the inbox primary key: one applies it, the
 * other finds it recorded and skips it.
 *
 * Fast path (every message new, the normal case): the inbox rows go into the transaction's single
 * write statement, expected to insert every id. If one was already there, that transaction rolls
 * back whole and the batch runs again on the careful path: claim first, handle only the new ones.
 */
export async function handleOnce(
  units: UnitOfWorkRunner,
  inboxSchema: string,
  handle: BatchHandler,
  messages: readonly IncomingMessage[],
): Promise<void> {
  const firstById = new Map<string, IncomingMessage>();
  for (const m of messages) if (!firstById.has(m.meta.messageId)) firstById.set(m.meta.messageId, m);
  const unique = [...firstById.values()];
  const entries = unique.map((m) => ({
    messageId: m.meta.messageId,
    topic: m.topic,
    recordType: m.record.type,
  }));
  try {
    await units.run(async (unit) => {
      recordAllAsNew(unit, inboxSchema, entries);
      await handle(unit, unique);
    });
  } catch (error) {
    if (!(error instanceof AlreadyProcessedError)) throw error;
    await units.run(async (unit) => {
      const fresh = await claimNewMessages(unit, inboxSchema, entries);
      const toHandle = unique.filter((m) => fresh.has(m.meta.messageId));
      if (toHandle.length > 0) await handle(unit, toHandle);
    });
  }
}

/** Applies messages in one transaction, each at most once (`handleOnce` bound to a consumer). */
export type ApplyInTransaction = (messages: readonly IncomingMessage[]) => Promise<void>;

/**
 * Transactions a consumer commits at once. With one broker, kafkajs fetches again only once the
 * batches of a fetch are handled, so a second one runs only when batches of one fetch reach the
 * group commit on different turns of the event loop.
 */
export const fetchTransactionsInFlight = 2;

/**
 * Partition batches submitted together (one fetch) are applied in one transaction. If that shared
 * transaction fails, each batch is retried in a transaction of its own, so one bad batch does not
 * hold back the others (and then goes message by message to find the poison).
 */
export function createFetchTransactions(
  applyInTransaction: ApplyInTransaction,
): GroupCommit<readonly IncomingMessage[], void> {
  return new GroupCommit<readonly IncomingMessage[], void>({
    commit: async (batches) => {
      await applyInTransaction(batches.flat());
      return batches.map(() => undefined);
    },
    maxBatch: 64,
    maxConcurrent: fetchTransactionsInFlight,
    gatherSameTick: true,
  });
}
