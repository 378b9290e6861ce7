import type { Producer } from 'kafkajs';
import type { OutboxMessage } from './outbox.ts';

/**
 * Sends outbox messages in one produce request per broker (acks=all), keeping their order: messages
 * for one partition are appended in the order given, so per-key order is the order of `messages`.
 */
export async function sendOutboxMessages(
  producer: Producer,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const byTopic = new Map<string, Array<{ key: string; value: Buffer; headers: Record<string, string> }>>();
  for (const { topic, key, value, headers } of messages) {
    const topicMessages = byTopic.get(topic);
    const message = { key, value, headers };
    if (topicMessages) topicMessages.push(message);
    else byTopic.set(topic, [message]);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })),
  });
}
