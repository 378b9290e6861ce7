import { binaryArray } from '../db/pg-binary-array.ts';
import { nativeOf } from '../db/query-builder.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';

export interface InboxEntry {
  messageId: string;
  topic: string;
  recordType: string;
}

/** Constant text for any number of ids (one prepared statement per connection). */
const insertIgnoringSeen = (schema: string): string =>
  `insert into ${schema}.inbox (message_id, topic, record_type)
   select * from unnest(?::uuid[], ?::text[], ?::text[])
   on conflict (message_id) do nothing`;

const inboxArrays = (entries: readonly InboxEntry[]): unknown[] => [
  binaryArray(
    'uuid',
    entries.map((e) => e.messageId),
  ),
  binaryArray(
    'text',
    entries.map((e) => e.topic),
  ),
  binaryArray(
    'text',
    entries.map((e) => e.recordType),
  ),
];

/**
 * Records message ids as processed inside the caller's transaction and returns the ids that were new.
 * One statement per batch; a redelivered message is simply not returned, so its effect is not applied
 * twice. If the transaction rolls back, the ids are not recorded and the messages will be handled again.
 */
export async function claimNewMessages(
  unit: UnitOfWork,
  schema: string,
  entries: readonly InboxEntry[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await unit.read<{ message_id: string }>(
    nativeOf(`${insertIgnoringSeen(schema)} returning message_id`, inboxArrays(entries)),
  );
  return new Set(rows.map((r) => r.message_id));
}

/** Raised when an inbox write of a batch found ids already recorded: those messages were handled before. */
export class AlreadyProcessedError extends Error {
  constructor(recorded: number, expected: number) {
    super(`${expected - recorded} of ${expected} messages were already processed`);
    this.name = 'AlreadyProcessedError';
  }
}

/**
 * Records the ids with the transaction's other writes (one statement, no round trip of its own), on
 * the expectation that none was processed before. If one was, the transaction fails with
 * AlreadyProcessedError and nothing of it is kept; the caller then claims first (claimNewMessages).
 */
export function recordAllAsNew(unit: UnitOfWork, schema: string, entries: readonly InboxEntry[]): void {
  if (entries.length === 0) return;
  unit.writes.add(insertIgnoringSeen(schema), inboxArrays(entries), {
    rows: entries.length,
    error: (recorded) => new AlreadyProcessedError(recorded, entries.length),
  });
}
