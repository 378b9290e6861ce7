import type { RecordName, RecordPayloads, TypedRecord } from '../contracts/generated.ts';
import type { UnitOfWork } from '../db/unit-of-work.ts';
import { unnestInsert } from '../db/unnest-insert.ts';
import type { Clock } from '../ids.ts';
import { topicOfRecord } from '../kafka/topics.ts';
import { toHeaders } from '../messaging/headers.ts';
import { withOrderTraceparent } from './order-traceparent.ts';
import type { OutboxRow } from './outbox-batch.ts';
import { outboxChannelOf } from './outbox-channel.ts';
import type { LocalOutboxRelay } from './outbox-relay.ts';

export interface RecordEncoder {
  encode<N extends RecordName>(type: N, payload: RecordPayloads[N]): Promise<Buffer>;
}

interface MessageIds {
  record: TypedRecord;
  messageId: string;
  correlationId: string;
  causationId: string | null;
  /**
   * W3C trace context of the span that produced it (lib/tracing). Left out, an order's message
   * continues the order's trace from its root span; a message not about an order goes without.
   */
  traceparent?: string | null;
}

/** A message of an order (every saga message): key and `order-id` header = the order id. */
export interface OrderMessage extends MessageIds {
  orderId: string;
  key?: undefined;
}

/**
 * A message about something that is not always an order (an audit record's target: a fault switch,
 * a SKU): its own key, and the `order-id` header only when it does concern an order.
 */
export interface KeyedMessage extends MessageIds {
  key: string;
  orderId: string | null;
}

/** A message to publish: the record plus the ids that travel in its headers. */
export type OutgoingMessage = OrderMessage | KeyedMessage;

/** An outbox row as inserted: the encoded payload, the headers as JSON text. */
export interface OutboxInsertRow {
  message_id: string;
  topic: string;
  message_key: string;
  record_type: string;
  payload: Buffer;
  headers: string;
}

/** The insert of a service's outbox rows: constant text for any number of rows (one prepared statement). */
export const outboxInsert = (schema: string) =>
  unnestInsert<OutboxInsertRow>({
    table: `${schema}.outbox`,
    columns: {
      message_id: 'uuid',
      topic: 'text',
      message_key: 'text',
      record_type: 'text',
      payload: 'bytea',
      headers: 'json',
    },
  });

/**
 * Appends messages to a service's outbox inside the caller's transaction: they are published if and
 * only if the state change commits. Payloads are Avro-encoded here, so a record that does not match
 * its schema fails the transaction that produced it instead of wedging the relay later.
 *
 * A relay in this process is handed the committed rows directly (it may publish them from memory);
 * the transaction only sends a NOTIFY (which wakes every listening backend of the database) when
 * another instance may be the one publishing, or when there is no local relay.
 */
export class Outbox {
  private readonly schema: string;
  private readonly encoder: RecordEncoder;
  private readonly clock: Clock;
  private readonly relay: LocalOutboxRelay | null;
  private readonly insert: ReturnType<typeof outboxInsert>;
  constructor(schema: string, encoder: RecordEncoder, clock: Clock, relay: LocalOutboxRelay | null = null) {
    this.schema = schema;
    this.insert = outboxInsert(schema);
    this.encoder = encoder;
    this.clock = clock;
    this.relay = relay;
  }

  async append(unit: UnitOfWork, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const occurredAt = this.clock().toISOString();
    const rows = await Promise.all(
      messages.map(async (m): Promise<PendingRow> => {
        const headers = toHeaders({
          messageId: m.messageId,
          orderId: m.orderId,
          correlationId: m.correlationId,
          causationId: m.causationId,
          recordType: m.record.type,
          occurredAt,
          traceparent: m.traceparent ?? null,
        });
        // Stored without the order's own traceparent (what a message continuing no span carries):
        // the relay derives it again from the order id (withOrderTraceparent), so the rows stay small.
        const headersJson = JSON.stringify(headers);
        withOrderTraceparent(headers);
        return {
          message_id: m.messageId,
          topic: topicOfRecord(m.record.type),
          message_key: m.key === undefined ? m.orderId : m.key,
          record_type: m.record.type,
          payload: await this.encoder.encode(m.record.type, m.record.payload),
          headers: headersJson,
          headerValues: headers,
        };
      }),
    );
    // Part of the transaction's single write statement. A re-sent command reuses its message id, so
    // if its first copy is still waiting both are published; the participant's inbox applies it once.
    const { writes } = unit;
    const relay = this.relay;
    const notified = relay === null || !relay.holdsLock;
    if (notified) writes.notify(outboxChannelOf(this.schema));
    if (relay === null) {
      writes.add(this.insert.sql, this.insert.bind(rows));
      return;
    }
    // The local relay gets the committed rows themselves (with the seq Postgres gave them), so it
    // can publish them without reading them back.
    // Stays empty if the seqs never came back: the relay then reads the table instead.
    let committed: OutboxRow[] = [];
    writes.addReturning(this.insert.sql, this.insert.bind(rows), 'seq', (seqs) => {
      if (seqs.length !== rows.length)
        throw new Error(`outbox insert returned ${seqs.length} seqs for ${rows.length} rows`);
      // bigserial values are assigned in the order unnest() yields the rows: the i-th smallest seq
      // belongs to the i-th row.
      committed = rows.map((row, i) => ({
        seq: Number(seqs[i]),
        topic: row.topic,
        message_key: row.message_key,
        payload: row.payload,
        headers: row.headerValues,
      }));
    });
    unit.afterCommit(() => relay.committed(committed, notified));
  }
}

/** A row to insert, with its headers kept as values for the local relay. */
interface PendingRow extends OutboxInsertRow {
  headerValues: Record<string, string>;
}
