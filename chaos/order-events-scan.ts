/**
 * Reads this run's `order-events` topic from the beginning to its end, per key (the order id) in
 * partition order: each record's message id and type, and for `OrderStatusChanged` the saga states
 * it moved between (decoded with the record's own schema file: the run writes the current version).
 */
import { unframe } from '../lib/avro/confluent-framing.ts';
import { recordSchemas } from '../lib/avro/record-catalog.ts';
import { readToEnd } from '../lib/kafka/read-to-end.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import type { OrderEventSeen } from './checks/order-event-checks.ts';
import { type ChaosEnvironment, chaosKafka } from './environment.ts';

export async function scanOrderEvents(
  env: ChaosEnvironment,
  groupId: string,
  timeoutMs = 180_000,
): Promise<Map<string, OrderEventSeen[]>> {
  const statusChanged = recordSchemas().get('OrderStatusChanged');
  if (!statusChanged) throw new Error('no schema file for OrderStatusChanged');
  const byKey = new Map<string, OrderEventSeen[]>();
  const kafka = chaosKafka(env, 'chaos-check-order-events');
  await readToEnd(kafka, {
    topics: [`${env.topicPrefix}order-events`],
    groupId,
    timeoutMs,
    onMessage: (_topic, partition, m) => {
      const key = m.key?.toString() ?? '(no key)';
      const type = headerString(m.headers, HeaderNames.recordType) ?? '(no record type)';
      const seen: OrderEventSeen = {
        messageId:
          headerString(m.headers, HeaderNames.messageId) ?? `(no message id at ${partition}@${m.offset})`,
        type,
        orderId: headerString(m.headers, HeaderNames.orderId) ?? null,
        partition,
        from: null,
        to: null,
      };
      if (type === 'OrderStatusChanged' && m.value) {
        const payload = statusChanged.type.fromBuffer(unframe(m.value).body) as {
          sagaState: string;
          previousSagaState: string;
        };
        seen.from = payload.previousSagaState;
        seen.to = payload.sagaState;
      }
      const list = byKey.get(key) ?? [];
      list.push(seen);
      byKey.set(key, list);
    },
  });
  return byKey;
}
