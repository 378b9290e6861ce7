import { applySingleBufferRecordEncoder } from './record-encoder.ts';
import { applyRequestQueueTimerFix } from './request-queue-timer-fix.ts';

/**
 * The changes this project makes to kafkajs 2.2.4's internals: no idle timer loop per broker
 * connection (`request-queue-timer-fix.ts`) and one buffer per produced record (`record-encoder.ts`).
 * Idempotent; every module that creates a kafkajs client calls it when it is loaded, before any
 * produce request.
 */
export function applyKafkajsPatches(): void {
  applyRequestQueueTimerFix();
  applySingleBufferRecordEncoder();
}
