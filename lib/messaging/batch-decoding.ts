import type { Batch } from 'kafkajs';
import type { DeadLetter } from './dead-letter.ts';
import { KeyMismatchError, keyIsOrderId, type MessageMeta, readMeta } from './headers.ts';
import type { IncomingMessage, RecordDecoder } from './incoming-message.ts';
import { isTransientError } from './transient-errors.ts';

/** What decoding reads of a kafkajs partition batch. */
export type PartitionBatch = Pick<Batch, 'topic' | 'partition' | 'messages'>;

/**
 * Decodes a partition batch into typed messages, in order. A message without valid headers, whose key
 * is not its order id, without a value, with an undecodable value or whose payload is not the record its header names is pushed
 * to `letters` (with the reason) instead. Throws only transient errors (the registry unreachable):
 * the caller waits and decodes the whole batch again. `withTraceparent`: whether the messages' trace
 * context is read (readMeta; only a consumer that records spans needs it).
 */
export async function decodeBatch(
  decoder: RecordDecoder,
  batch: PartitionBatch,
  letters: DeadLetter[],
  withTraceparent = true,
): Promise<IncomingMessage[]> {
  const decoded: IncomingMessage[] = [];
  for (const message of batch.messages) {
    const letter = (reason: DeadLetter['reason'], error: unknown) =>
      letters.push({ topic: batch.topic, partition: batch.partition, message, reason, error });
    let meta: MessageMeta;
    try {
      meta = readMeta(message.headers, withTraceparent);
    } catch (error) {
      letter('missing_header', error);
      continue;
    }
    if (!keyIsOrderId(message.key, meta.orderId)) {
      letter('invalid_key', new KeyMismatchError(message.key));
      continue;
    }
    if (!message.value) {
      letter('undecodable', new Error('message has no value'));
      continue;
    }
    try {
      const record = await decoder.decode(message.value);
      if (record.type !== meta.recordType) {
        letter(
          'undecodable',
          new Error(`record-type header says ${meta.recordType} but the payload is ${record.type}`),
        );
        continue;
      }
      decoded.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        meta,
        record,
      });
    } catch (error) {
      if (isTransientError(error)) throw error;
      letter('undecodable', error);
    }
  }
  return decoded;
}
