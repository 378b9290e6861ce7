import type { RecordName, RecordPayloads, TypedRecord } from '../contracts/generated.ts';
import { pgArray } from '../db/pg-array.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import type { Clock } from '../ids.ts';
import { topicOfRecord } from '../kafka/topics.ts';
import { toHeaders } from '../messaging/headers.ts';
import type { LocalOutboxRelay } from './outbox-relay.ts';

export interface RecordEncoder {
  encode<N extends RecordName>(type: N, payload: RecordPayloads[N]): Promise<Buffer>;
}

/** A message to publish: the record plus the ids that travel in its headers. Key = order id. */
export interface OutgoingMessage {
  record: TypedRecord;
  messageId: string;
  orderId: string;
  correlationId: string;
  causationId: string | null;
}

export const outboxChannelOf = (schema: string): string => `${schema}_outbox`;

/**
 * Appends messages to a service's outbox inside the caller's transaction: they are published if and
 * only if the state change commits. Payloads are Avro-encoded here, so a record that does not match
 * its schema fails the transaction that produced it instead of wedging the relay later.
 *
 * The relay is woken directly after the commit when it runs in this process; the transaction only
 * sends a NOTIFY (which wakes every listening backend of the database) when another instance may
 * be the one publishing, or when there is no local relay.
 */
export class Outbox {
  private readonly schema: string;
  private readonly encoder: RecordEncoder;
  private readonly clock: Clock;
  private readonly relay: LocalOutboxRelay | null;
  #appendSql: string | undefined;
  constructor(schema: string, encoder: RecordEncoder, clock: Clock, relay: LocalOutboxRelay | null = null) {
    this.schema = schema;
    this.encoder = encoder;
    this.clock = clock;
    this.relay = relay;
  }

  async append(unit: UnitOfWork, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const occurredAt = this.clock().toISOString();
    const rows = await Promise.all(
      messages.map(async (m) => ({
        message_id: m.messageId,
        topic: topicOfRecord(m.record.type),
        message_key: m.orderId,
        record_type: m.record.type,
        payload: await this.encoder.encode(m.record.type, m.record.payload),
        headers: toHeaders({
          messageId: m.messageId,
          orderId: m.orderId,
          correlationId: m.correlationId,
          causationId: m.causationId,
          recordType: m.record.type,
          occurredAt,
        }),
      })),
    );
    // Part of the transaction's single write statement. A re-sent command reuses its message id, so
    // if its first copy is still waiting both are published; the participant's inbox applies it once.
    const { writes } = unit;
    writes.add(this.appendSql, [
      pgArray(rows.map((r) => r.message_id)),
      pgArray(rows.map((r) => r.topic)),
      pgArray(rows.map((r) => r.message_key)),
      pgArray(rows.map((r) => r.record_type)),
      pgArray(rows.map((r) => r.payload)),
      pgArray(rows.map((r) => JSON.stringify(r.headers))),
    ]);
    const relay = this.relay;
    if (relay === null || !relay.holdsLock) writes.notify(outboxChannelOf(this.schema));
    if (relay !== null) unit.afterCommit(() => relay.wake());
  }

  private get appendSql(): string {
    this.#appendSql ??= `insert into ${this.schema}.outbox (message_id, topic, message_key, record_type, payload, headers)
        select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::jsonb[])`;
    return this.#appendSql;
  }
}
