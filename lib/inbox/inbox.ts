import type { Knex } from 'knex';

export interface InboxEntry {
  messageId: string;
  topic: string;
  recordType: string;
}

/**
 * Records message ids as processed inside the caller's transaction and returns the ids that were new.
 * One statement per batch; a redelivered message is simply not returned, so its effect is not applied
 * twice. If the transaction rolls back, the ids are not recorded and the messages will be handled again.
 */
export async function claimNewMessages(
  trx: Knex.Transaction,
  schema: string,
  entries: readonly InboxEntry[],
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows: Array<{ message_id: string }> = await trx(`${schema}.inbox`)
    .insert(entries.map((e) => ({ message_id: e.messageId, topic: e.topic, record_type: e.recordType })))
    .onConflict('message_id')
    .ignore()
    .returning('message_id');
  return new Set(rows.map((r) => r.message_id));
}
