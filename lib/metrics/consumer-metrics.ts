import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConsumerObserver } from '../messaging/consumer-observer.ts';
import { ChildrenBy2 } from './label-children.ts';

/**
 * `kafka_consumer_lag{topic,partition}` (messages behind, as of each handled batch: kafkajs's
 * high watermark minus the batch's last offset, no admin request) and `dead_letters_total{topic,reason}`
 * (counted once the broker acknowledged them; `topic` is the source topic).
 */
export function createConsumerMetrics(registry: Registry): ConsumerObserver {
  const lag = new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Messages on the partition after the last handled batch',
    labelNames: ['topic', 'partition'],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'dead_letters_total',
    help: 'Messages sent to <topic>-dlt, by source topic and reason',
    labelNames: ['topic', 'reason'],
    registers: [registry],
  });
  const lagOf = new ChildrenBy2((topic, partition) => lag.labels({ topic, partition }));
  const lettersOf = new ChildrenBy2((topic, reason) => deadLetters.labels({ topic, reason }));
  return {
    batchHandled: (topic, partition, messagesBehind) => lagOf.of(topic, partition).set(messagesBehind),
    deadLettered: (topic, reason, count) => lettersOf.of(topic, reason).inc(count),
  };
}
