/**
 * Reads this run's dead-letter topics to their end (headers only): for each dead letter the record
 * type and order of the original message and why it was dead-lettered. Only when some dead-letter
 * topic holds anything (check 5d tells the injected ones from the others).
 */
import { readToEnd } from '../lib/kafka/read-to-end.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import type { DeadLetterSeen } from './checks/reply-checks.ts';
import { type ChaosEnvironment, chaosKafka } from './environment.ts';

export async function scanDeadLetters(
  env: ChaosEnvironment,
  topics: readonly string[],
  groupId: string,
  timeoutMs = 120_000,
): Promise<DeadLetterSeen[]> {
  const letters: DeadLetterSeen[] = [];
  const kafka = chaosKafka(env, 'chaos-check-dead-letters');
  await readToEnd(kafka, {
    topics,
    groupId,
    timeoutMs,
    onMessage: (topic, _partition, m) =>
      letters.push({
        topic,
        recordType: headerString(m.headers, HeaderNames.recordType) ?? null,
        orderId: headerString(m.headers, HeaderNames.orderId) ?? null,
        reason: headerString(m.headers, 'dlt-reason') ?? null,
      }),
  });
  return letters;
}
