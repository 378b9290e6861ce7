import type { KafkaMessage } from 'kafkajs';

/** A Kafka message as a test sends it, and as it compares what comes back. */
export interface SentMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | string[]>;
}

/** A consumed message in the shape it was sent in (key and header values as strings). */
export const asSent = (m: KafkaMessage): SentMessage => ({
  key: m.key?.toString() ?? null,
  value: m.value ?? null,
  headers: Object.fromEntries(
    Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  ),
});

/** Key order, for comparing messages that came back over several partitions. */
export const byKey = (a: SentMessage, b: SentMessage): number => (a.key ?? '').localeCompare(b.key ?? '');
