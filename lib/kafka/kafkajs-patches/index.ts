/**
 * The wall around this project's changes to kafkajs's private modules. The app (services, lib,
 * scripts, chaos, bench) reaches them only through this entry point; only test helpers import a
 * patch's module directly. They fit kafkajs 2.2.4 only
 * (package.json pins it exactly); a different installed kafkajs stops the process with a
 * KafkajsVersionError before any patch is installed (`kafkajs-version.ts`). A test per patch fails
 * when the kafkajs internals it replaces change shape (`kafkajs-internals.unit.spec.ts`).
 *
 * The patches:
 * - `linear-group-messages.ts`: kafkajs groups a produce batch by partition in quadratic time
 *   (`producer/groupMessagesPerPartition.js`, a copy of the partition's list per message); this
 *   groups it in one pass. kafkajs's `sendMessages.js` takes the function when kafkajs loads, so it
 *   is installed when this entry point is evaluated: each service's main.ts imports this module
 *   FIRST, before anything loads kafkajs. Where kafkajs was loaded earlier (tools, tests) kafkajs's
 *   own function stays and `linearGroupingInstalled()` is false (runService warns).
 * - `request-queue-timer-fix.ts`: kafkajs's `RequestQueue` re-arms a ~1 ms timer forever on every
 *   idle broker connection (tulios/kafkajs#1556, #1604, #1704); this arms one only while requests wait.
 * - `produce-request-encoder.ts` (with its helpers `record-encoder.ts` and `crc32c.ts`): each produce
 *   request's body written into one exactly sized buffer instead of kafkajs's ~7 layered copies
 *   through zero-filled buffers, byte for byte what kafkajs writes; CRC-32C by slicing-by-8.
 * - `record-decoder.ts`: each fetched record decoded without BigInts and with one headers object,
 *   into the object kafkajs returns; whatever the fast path does not cover goes to kafkajs's decoder.
 *
 * `applyKafkajsPatches()` installs the last three; every module that creates a kafkajs client calls
 * it when it is loaded, before any produce or fetch request. `kafkajs-module-cache.ts` replaces a
 * kafkajs module's export in Node's module cache (for the patches that cannot be made on a prototype).
 */
import { assertPatchedKafkajsVersion } from './kafkajs-version.ts';
import { linearGroupingInstalled } from './linear-group-messages.ts';
import { applySingleBufferProduceRequest } from './produce-request-encoder.ts';
import { applyFastRecordDecoder } from './record-decoder.ts';
import { applyRequestQueueTimerFix } from './request-queue-timer-fix.ts';

export { KafkajsVersionError, PATCHED_KAFKAJS_VERSION } from './kafkajs-version.ts';
export { linearGroupingInstalled };

/** Idempotent; throws KafkajsVersionError when the installed kafkajs is not the patched version. */
export function applyKafkajsPatches(): void {
  assertPatchedKafkajsVersion();
  applyRequestQueueTimerFix();
  applySingleBufferProduceRequest();
  applyFastRecordDecoder();
}
