/**
 * Invariants 5b–5d, about messages: every command a participant processed was answered exactly
 * once, the orchestrator applied every reply exactly once, and nothing was dead-lettered.
 */
import type { Knex } from 'knex';
import type { ReplyScan, ReplySeen } from '../reply-scan.ts';
import type { CheckResult } from './check-result.ts';

const commandTypes: Record<string, readonly string[]> = {
  inventory: ['ReserveStock', 'ReleaseStock'],
  payment: ['ProcessPayment', 'RefundPayment'],
  shipping: ['ScheduleShipping', 'CancelShipping'],
};

const carrierEventTypes: ReadonlySet<string> = new Set(['ShipmentPickedUp', 'ShipmentDelivered']);

/** The replies on Kafka by message id (a duplicate publish counts once) and by the command they answer. */
export interface ReplyIndex {
  distinct: ReadonlyMap<string, ReplySeen>;
  idsByCause: ReadonlyMap<string, ReadonlySet<string>>;
  /** Kafka records, duplicates included. */
  published: number;
}

export function indexReplies(replies: ReplyScan): ReplyIndex {
  const idsByCause = new Map<string, Set<string>>();
  const distinct = new Map<string, ReplySeen>();
  for (const r of replies.records) {
    distinct.set(r.messageId, r);
    // Shipping's carrier events carry ScheduleShipping's id as causation but answer no command.
    if (r.causationId === null || carrierEventTypes.has(r.type ?? '')) continue;
    const set = idsByCause.get(r.causationId) ?? new Set<string>();
    set.add(r.messageId);
    idsByCause.set(r.causationId, set);
  }
  return { distinct, idsByCause, published: replies.records.length };
}

export interface ProcessedCommand {
  schema: string;
  message_id: string;
  record_type: string;
}

/** The commands in every participant's inbox, participant by participant. */
export async function readProcessedCommands(db: Knex): Promise<ProcessedCommand[]> {
  const processed: ProcessedCommand[] = [];
  for (const [schema, types] of Object.entries(commandTypes)) {
    const inbox: Array<{ message_id: string; record_type: string }> = await db(`${schema}.inbox`)
      .whereIn('record_type', [...types])
      .select('message_id', 'record_type');
    for (const row of inbox) processed.push({ schema, ...row });
  }
  return processed;
}

/** 5b: every command a participant recorded as processed was answered exactly once. */
export function commandsAnsweredCheck(
  processed: readonly ProcessedCommand[],
  replies: ReplyIndex,
): CheckResult {
  const violations: string[] = [];
  for (const row of processed) {
    const answers = replies.idsByCause.get(row.message_id)?.size ?? 0;
    if (answers === 0)
      violations.push(
        `${row.schema} processed ${row.record_type} ${row.message_id} but no reply is on Kafka`,
      );
    if (answers > 1)
      violations.push(
        `${row.schema} answered ${row.record_type} ${row.message_id} ${answers} times (applied more than once)`,
      );
  }
  const processedIds = new Set(processed.map((row) => row.message_id));
  for (const [cause, ids] of replies.idsByCause) {
    if (!processedIds.has(cause))
      violations.push(`${ids.size} reply(ies) caused by ${cause}, a command no participant inbox holds`);
  }
  return {
    id: '5b',
    invariant: 'each processed command answered exactly once',
    checked: processed.length,
    violations,
    notes: [
      `${replies.distinct.size} distinct replies on Kafka, ${replies.published - replies.distinct.size} duplicate publishes (same message id)`,
    ],
  };
}

/** The replies the orchestrator recorded: its inbox, and its saga_history rows per reply. */
export interface AppliedReplies {
  inbox: ReadonlySet<string>;
  /** `kinds`: `kind:type[:reason]` of every history row of the reply, comma-separated. */
  history: ReadonlyArray<{ message_id: string; n: number; kinds: string }>;
}

export async function readAppliedReplies(db: Knex): Promise<AppliedReplies> {
  const inbox: Array<{ message_id: string }> = await db('orders.inbox').select('message_id');
  const history: { rows: AppliedReplies['history'] } = await db.raw(`
    select message_id, count(*)::int as n,
           string_agg(kind || ':' || type || coalesce(':' || (detail->>'reason'), ''), ',') as kinds
      from orders.saga_history
     where kind in ('reply_received', 'reply_ignored', 'reply_rejected') and message_id is not null
     group by 1`);
  return { inbox: new Set(inbox.map((r) => r.message_id)), history: history.rows };
}

/**
 * 5c: the orchestrator applied every reply exactly once (inbox + one history row per reply). A
 * late reply (to a step the saga has left) is `reply_rejected` with reason earlier_step, or
 * `reply_ignored`; every reply of a chaos run is genuine, so any other rejection reason is a bug.
 */
export function repliesAppliedCheck(replies: ReplyIndex, applied: AppliedReplies): CheckResult {
  const violations: string[] = [];
  const historyOf = new Map(applied.history.map((h) => [h.message_id, h]));
  for (const [id, r] of replies.distinct) {
    if (!applied.inbox.has(id))
      violations.push(
        `reply ${r.type} ${id} for order ${r.orderId} is on Kafka but the orchestrator never processed it`,
      );
    const h = historyOf.get(id);
    if (!h) violations.push(`reply ${r.type} ${id} for order ${r.orderId} has no saga_history row`);
    else if (h.n > 1) violations.push(`reply ${id} applied ${h.n} times: ${h.kinds}`);
    else if (h.kinds.startsWith('reply_rejected') && !h.kinds.endsWith(':earlier_step'))
      violations.push(`genuine reply ${r.type} ${id} for order ${r.orderId} was rejected: ${h.kinds}`);
  }
  const ignored = applied.history.filter((h) => h.kinds.startsWith('reply_ignored')).length;
  const late = applied.history.filter((h) => h.kinds.startsWith('reply_rejected')).length;
  return {
    id: '5c',
    invariant: 'orchestrator applied each reply exactly once',
    checked: replies.distinct.size,
    violations,
    notes: [
      `${late} replies answered a step the saga had left (reply_rejected, earlier_step), ${ignored} arrived when it expected no such reply (reply_ignored)`,
    ],
  };
}

/** A dead letter as read from its topic (the original message's headers, the reason). */
export interface DeadLetterSeen {
  topic: string;
  recordType: string | null;
  orderId: string | null;
  reason: string | null;
}

/** Dead letters a run causes on purpose: `recordType` messages of these orders, in `topic` (without the prefix). */
export interface ExpectedDeadLetters {
  topic: string;
  recordType: string;
  orderIds: readonly string[];
}

/**
 * 5d: nothing dead-lettered (`deadLetters`: records per dead-letter topic that holds any), but what
 * the run's compensation faults dead-lettered on purpose: every letter of those topics (`letters`,
 * read when there are any) must be one of `expected` — the failing command of a window's order.
 * How many copies there are is not bounded: dead-lettering is at-least-once (a consumer cut off
 * between the dead letter and its commit, by a kill or a restart, dead-letters it again).
 */
export function deadLetterCheck(
  deadLetters: Readonly<Record<string, number>>,
  letters: readonly DeadLetterSeen[] = [],
  expected: readonly ExpectedDeadLetters[] = [],
): CheckResult {
  const isExpected = (l: DeadLetterSeen): boolean =>
    expected.some(
      (e) =>
        (l.topic === e.topic || l.topic.endsWith(`.${e.topic}`)) &&
        l.recordType === e.recordType &&
        l.orderId !== null &&
        e.orderIds.includes(l.orderId),
    );
  const violations: string[] = [];
  const injected = new Map<string, number>();
  for (const [topic, n] of Object.entries(deadLetters)) {
    const read = letters.filter((l) => l.topic === topic);
    const ok = read.filter(isExpected);
    if (ok.length > 0) injected.set(topic, ok.length);
    const others = n - ok.length;
    if (others <= 0) continue;
    const examples = read
      .filter((l) => !isExpected(l))
      .slice(0, 3)
      .map((l) => `${l.recordType} of order ${l.orderId} (${l.reason})`);
    violations.push(
      `${topic}: ${others} dead letters${examples.length > 0 ? `, e.g. ${examples.join('; ')}` : ''}`,
    );
  }
  const notes = [...injected].map(
    ([topic, n]) =>
      `${topic}: ${n} dead letters of the compensation faults' own orders (at-least-once: copies included)`,
  );
  return { id: '5d', invariant: 'no dead letters (but the injected ones)', checked: 7, violations, notes };
}
