import { applySingleBufferProduceRequest } from './produce-request-encoder.ts';
import { applyFastRecordDecoder } from './record-decoder.ts';
import { applyRequestQueueTimerFix } from './request-queue-timer-fix.ts';

/**
 * The changes this project makes to kafkajs 2.2.4's internals: no idle timer loop per broker
 * connection (`request-queue-timer-fix.ts`) and each produce request's body written into one
 * buffer (`produce-request-encoder.ts`, which replaced the per-record buffers of
 * `record-encoder.ts`'s earlier patch), and each fetched record decoded without BigInts or a
 * headers object per header (`record-decoder.ts`). Idempotent; every module that creates a kafkajs client calls
 * it when it is loaded, before any produce or fetch request.
 * One more change cannot be made from here: kafkajs takes its function that groups a produce batch
 * by partition when kafkajs itself loads, so `linear-group-messages.ts` replaces it on its own and
 * every service's main.ts imports it first.
 */
export function applyKafkajsPatches(): void {
  applyRequestQueueTimerFix();
  applySingleBufferProduceRequest();
  applyFastRecordDecoder();
}
