/**
 * Reads this run's dead-letter topics to their end (headers only): for each dead letter the record
 * type and order of the original message and why it was dead-lettered. Only when some dead-letter
 * topic holds anything (check 5d tells the injected ones from the others).
 */
import { Kafka, logLevel } from 'kafkajs';
import { kafkajsSecurityOptions } from '../lib/kafka/kafka-security.ts';
import { readToEnd } from '../lib/kafka/read-to-end.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import type { DeadLetterSeen } from './checks/reply-checks.ts';
import type { ChaosEnvironment } from './environment.ts';

export async function scanDeadLetters(
  env: ChaosEnvironment,
  topics: readonly string[],
  groupId: string,
  timeoutMs = 120_000,
): Promise<DeadLetterSeen[]> {
  const letters: DeadLetterSeen[] = [];
  const kafka = new Kafka({
    clientId: 'chaos-check-dead-letters',
    brokers: env.brokers,
    ...kafkajsSecurityOptions(env.kafkaSecurity),
    logLevel: logLevel.NOTHING,
  });
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
