import type { OutboxRow } from './outbox-batch.ts';

/**
 * Kafka refuses a record batch — one partition's share of a produce request — larger than the
 * topic's `max.message.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE, which no retry cures. The
 * relay keeps each topic's share of a request under this, and so every partition's share.
 */
export const DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST = 512 * 1024;

/** A record batch's own header (Kafka's record batch v2). */
const RECORD_BATCH_OVERHEAD = 61;
/** Largest framing of a record: length, attributes, timestamp and offset deltas, key/value lengths, header count. */
const RECORD_OVERHEAD = 32;
/** Largest framing of a header: the name's and the value's lengths. */
const HEADER_OVERHEAD = 10;

/** An upper bound of the bytes a row takes in a record batch (uncompressed). */
export function recordBytesUpperBound(row: Pick<OutboxRow, 'message_key' | 'payload' | 'headers'>): number {
  let bytes = RECORD_OVERHEAD + Buffer.byteLength(row.message_key) + row.payload.length;
  for (const name in row.headers) {
    bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + Buffer.byteLength(row.headers[name] ?? '');
  }
  return bytes;
}

/**
 * Splits rows, in order, into consecutive chunks in which each topic's records take at most
 * `maxTopicBytes` (with the record batch header). A row larger than that on its own gets a chunk of
 * its own: the broker is the one to say whether it fits.
 */
export function chunkByTopicBytes<
  Row extends Pick<OutboxRow, 'topic' | 'message_key' | 'payload' | 'headers'>,
>(rows: readonly Row[], maxTopicBytes: number): Row[][] {
  const chunks: Row[][] = [];
  let chunk: Row[] = [];
  let topicBytes = new Map<string, number>();
  for (const row of rows) {
    const bytes = recordBytesUpperBound(row);
    const used = topicBytes.get(row.topic);
    if (used !== undefined && used + bytes > maxTopicBytes) {
      chunks.push(chunk);
      chunk = [];
      topicBytes = new Map();
    }
    chunk.push(row);
    topicBytes.set(row.topic, (topicBytes.get(row.topic) ?? RECORD_BATCH_OVERHEAD) + bytes);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
