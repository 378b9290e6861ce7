import type { EachBatchHandler, Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Tracing } from '../tracing/tracing-api.ts';
import { decodeBatch } from './batch-decoding.ts';
import type { ConsumerObserver } from './consumer-observer.ts';
import { type ConsumerSpans, startConsumerSpans } from './consumer-spans.ts';
import { type DeadLetter, publishDeadLetters } from './dead-letter.ts';
import { type FaultHooks, heartbeatMeanwhile, withoutDropped } from './fault-hooks.ts';
import type { IncomingMessage, RecordDecoder } from './incoming-message.ts';
import type { OffsetCommits } from './offset-commits.ts';
import { BatchAbandoned, type RetryPolicy } from './retry-policy.ts';

export interface EachBatchParts {
  groupId: string;
  decoder: RecordDecoder;
  retries: RetryPolicy;
  faults: FaultHooks;
  offsets: OffsetCommits;
  /** Producer used for dead letters. */
  producer: Producer;
  log: Logger;
  /** Told of each handled batch (lag) and of published dead letters: the metrics. */
  observer: ConsumerObserver | null;
  /** A span per message when tracing is on (consumer-spans.ts). */
  tracing: Tracing;
}

/** Messages left on the partition after the batch's last one (kafkajs: high watermark = next offset). */
const lagAfter = (highWatermark: string, lastOffset: string): number =>
  Math.max(0, Number(highWatermark) - Number(lastOffset) - 1);

function reportDeadLetters(observer: ConsumerObserver, letters: readonly DeadLetter[]): void {
  for (const letter of letters) observer.deadLettered(letter.topic, letter.reason, 1);
}

/**
 * kafkajs's `eachBatch` for one partition batch: decode (undecodable → dead letters), the fault
 * hooks, apply in the fetch's shared transaction (a failing batch goes message by message, the
 * poison becomes a dead letter), publish the dead letters, then resolve the batch's offset. Outages
 * are waited out at every step; a batch lost meanwhile (stop, rebalance) is abandoned unresolved.
 */
export function createEachBatch(parts: EachBatchParts): EachBatchHandler {
  const { groupId, decoder, faults, offsets, producer, log, observer, tracing } = parts;
  const { retryWhileTransient, applyOrDeadLetter } = parts.retries;
  return async ({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    uncommittedOffsets,
    isRunning,
    isStale,
  }) => {
    if (batch.messages.length === 0) return;
    offsets.track(() => commitOffsetsIfNecessary(uncommittedOffsets()));
    const stillOurs = () => isRunning() && !isStale();
    const letters: DeadLetter[] = [];
    let spans: ConsumerSpans | null = null;
    try {
      let decoded: IncomingMessage[] = [];
      await retryWhileTransient(
        async () => {
          letters.length = 0;
          decoded = await decodeBatch(decoder, batch, letters, tracing.enabled);
        },
        stillOurs,
        heartbeat,
        'decoding',
      );
      const kept = withoutDropped(decoded, faults.drop);
      spans = startConsumerSpans(tracing, groupId, kept);
      if (kept.length > 0) {
        if (faults.beforeHandle) {
          const keepAlive = heartbeatMeanwhile(heartbeat);
          try {
            await faults.beforeHandle(kept);
          } finally {
            clearInterval(keepAlive);
          }
        }
        const raw = new Map(batch.messages.map((m) => [m.offset, m]));
        await retryWhileTransient(
          () => applyOrDeadLetter(kept, raw, letters),
          stillOurs,
          heartbeat,
          'handling batch',
        );
      }
      await retryWhileTransient(
        () => publishDeadLetters(producer, groupId, letters, new Date()),
        stillOurs,
        heartbeat,
        'dead-lettering',
      );
    } catch (error) {
      spans?.fail(error);
      if (error instanceof BatchAbandoned) {
        log.warn({ topic: batch.topic, partition: batch.partition }, error.message);
        return;
      }
      throw error;
    }
    spans?.end(letters);
    if (observer !== null && letters.length > 0) reportDeadLetters(observer, letters);
    const last = batch.messages[batch.messages.length - 1];
    if (last) resolveOffset(last.offset);
    if (observer !== null && last)
      observer.batchHandled(batch.topic, batch.partition, lagAfter(batch.highWatermark, last.offset));
    // Commits only when the interval has passed since the last commit; the timer covers idle time.
    await commitOffsetsIfNecessary();
    await heartbeat();
  };
}
