/**
 * A fingerprint of the order saga's shape: its graph (states, commands, transitions with their
 * events, guards, targets and actions) and the fields of its context. The saga snapshot fixture of
 * the current version records the fingerprint of the machine it was made from; the replay test
 * fails when they differ, so a machine change cannot pass CI without a decision on the snapshot
 * version (snapshot-version.ts).
 */
import { createHash } from 'node:crypto';
import { start } from './order-saga.machine.ts';
import { orderSagaGraph } from './saga-graph.ts';

export function orderSagaFingerprint(): string {
  const { snapshot } = start({
    orderId: 'fingerprint',
    retryPolicy: { forwardAttempts: 1, compensationAttempts: 1 },
    pricing: { currency: 'EUR', lines: [] },
  });
  const shape = { graph: orderSagaGraph(), contextFields: Object.keys(snapshot.context).sort() };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}
