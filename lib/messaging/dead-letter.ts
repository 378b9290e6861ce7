import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopicOf } from '../kafka/topics.ts';

/**
 * Why a message was dead-lettered: its headers are missing or invalid, its key is not its order id,
 * its value cannot be decoded (or is not the record its header names), or its handler kept failing.
 */
export type DeadLetterReason = 'undecodable' | 'missing_header' | 'invalid_key' | 'handler_failed';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  reason: DeadLetterReason;
  error: unknown;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 2_000) : String(error).slice(0, 2_000);

/** Headers that say why and where a message came from; the original headers and bytes are kept. */
export function deadLetterHeaders(letter: DeadLetter, groupId: string, failedAt: Date): IHeaders {
  return {
    ...letter.message.headers,
    'dlt-reason': letter.reason,
    'dlt-error': describe(letter.error),
    'dlt-source-topic': letter.topic,
    'dlt-source-partition': String(letter.partition),
    'dlt-source-offset': letter.message.offset,
    'dlt-consumer-group': groupId,
    'dlt-failed-at': failedAt.toISOString(),
  };
}

/** Publishes dead letters (original key and value) to `<topic>-dlt`; resolves once acknowledged. */
export async function publishDeadLetters(
  producer: Producer,
  groupId: string,
  letters: readonly DeadLetter[],
  now: Date,
): Promise<void> {
  if (letters.length === 0) return;
  await producer.sendBatch({
    acks: -1,
    topicMessages: letters.map((letter) => ({
      topic: deadLetterTopicOf(letter.topic),
      messages: [
        {
          key: letter.message.key,
          value: letter.message.value,
          headers: deadLetterHeaders(letter, groupId, now),
        },
      ],
    })),
  });
}
