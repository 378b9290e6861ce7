/**
 * `npm run dlt -- replay`: re-publishes dead letters to the topic they came from, as they were
 * (key, value, headers — the `message-id` above all, so the consumer's inbox applies a message once
 * however often it is replayed), without the dlt-* headers and with `dlt-replayed-from`. Each replay
 * is audited first (docs/audit.md: an action whose effect is not in the database is recorded, then
 * applied), on the service that consumes the source topic (auditingService); a publish that fails
 * after it is recorded again, `rejected` with the error.
 */
import type { IHeaders, Producer } from 'kafkajs';
import type { AuditCaller } from '../../lib/audit/audit-entry.ts';
import type { AuditTrail } from '../../lib/audit/audit-trail.ts';
import { type KafkaServicePrincipal, kafkaServicePrincipals, topicOwnership } from '../../lib/kafka/acls.ts';
import { baseTopics } from '../../lib/kafka/topics.ts';
import type { DeadLetterRecord } from './dead-letter-records.ts';

export class DltUsageError extends Error {
  override readonly name = 'DltUsageError';
}

export type Selection = { all: true } | { all: false; offset: string; partition: number | null };

/** The letters a selection names; a bare --offset must name one letter of one partition. */
export function selectLetters(
  records: readonly DeadLetterRecord[],
  selection: Selection,
): DeadLetterRecord[] {
  if (selection.all) return [...records];
  const { offset, partition } = selection;
  const found = records.filter(
    (r) => r.offset === offset && (partition === null || r.partition === partition),
  );
  if (found.length === 0)
    throw new DltUsageError(
      `no dead letter at offset ${offset}${partition === null ? '' : ` of partition ${partition}`}`,
    );
  if (found.length > 1)
    throw new DltUsageError(
      `offset ${offset} is in partitions ${found.map((r) => r.partition).join(', ')}: add --partition P`,
    );
  return found;
}

/** The service whose consumer reads `topic` (with or without a TOPIC_PREFIX), i.e. whose DLT it is. */
export function consumingService(topic: string): KafkaServicePrincipal {
  const owner = kafkaServicePrincipals.find((service) =>
    topicOwnership[service].reads.some((base) => topic.endsWith(base)),
  );
  if (!owner) throw new DltUsageError(`no service consumes ${topic}: nothing to replay it to`);
  return owner;
}

/**
 * The service whose audit trail records a replay to `topic`: the one that consumes it, or, when that
 * one keeps no audit trail (it does not write `audit-events`: notifications), the one that writes it.
 */
export function auditingService(topic: string): KafkaServicePrincipal {
  const audits = (service: KafkaServicePrincipal) =>
    topicOwnership[service].writes.includes(baseTopics.auditEvents);
  const consumer = consumingService(topic);
  if (audits(consumer)) return consumer;
  const writer = kafkaServicePrincipals.find(
    (service) => audits(service) && topicOwnership[service].writes.some((base) => topic.endsWith(base)),
  );
  if (!writer) throw new DltUsageError(`no service with an audit trail consumes or writes ${topic}`);
  return writer;
}

export const letterTarget = (dltTopic: string, r: DeadLetterRecord): string =>
  `dlt:${dltTopic}/${r.partition}@${r.offset}`;

/** The original headers without the dead-letter ones, and where the replay came from. */
export function replayHeaders(dltTopic: string, r: DeadLetterRecord): IHeaders {
  const kept = Object.entries(r.headers).filter(([name]) => !name.startsWith('dlt-'));
  return { ...Object.fromEntries(kept), 'dlt-replayed-from': `${dltTopic}/${r.partition}@${r.offset}` };
}

/** Audits, then re-publishes (acks=all) each letter to its source topic; returns how many. */
export async function replayDeadLetters(o: {
  dltTopic: string;
  letters: readonly DeadLetterRecord[];
  producer: Producer;
  audit: AuditTrail;
  caller: AuditCaller;
  /** Whom the replay publishes as (`operator`, or `admin` with --as-admin): kept in the audit's detail. */
  kafkaPrincipal: string;
}): Promise<number> {
  const { dltTopic, letters, producer, audit, caller, kafkaPrincipal } = o;
  if (letters.length === 0) return 0;
  for (const r of letters)
    if (r.source.topic === '?' || r.value === null)
      throw new DltUsageError(`${letterTarget(dltTopic, r)} has no source topic or no value: not replayable`);
  const entry = (outcome: 'applied' | 'rejected', more: Record<string, unknown>) => ({
    ...caller,
    action: 'dlt_replay',
    target: `dlt:${dltTopic}`,
    outcome,
    detail: {
      kafkaPrincipal,
      ...more,
      letters: letters.map((r) => ({
        partition: r.partition,
        offset: r.offset,
        messageId: r.messageId,
        reason: r.reason,
        source: r.source,
      })),
    },
  });
  await audit.record(entry('applied', {}));
  const topics = [...new Set(letters.map((r) => r.source.topic))];
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: letters
          .filter((r) => r.source.topic === topic)
          .map((r) => ({ key: r.key, value: r.value, headers: replayHeaders(dltTopic, r) })),
      })),
    });
  } catch (error) {
    // The replay was recorded before it was published: the trail says it did not go through.
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    await audit.record(entry('rejected', { error: { name, message } }));
    throw error;
  }
  return letters.length;
}
