/**
 * Child process of test/lib/kafka/linear-group-messages.int.spec.ts: loads the linear grouping module
 * either first (as the services' main.ts do) or after kafkajs, produces `count` keyed messages to
 * `topic` in one send through the services' idempotent producer, and prints whether the linear
 * grouping was in place and how many batches it grouped.
 *
 *   node --import tsx test/support/produce-batch-child.ts module-first|kafkajs-first <topic> <count>
 */
const [order, topic, countArg] = process.argv.slice(2);
if (order !== 'module-first' && order !== 'kafkajs-first') throw new Error(`unknown order ${order}`);
if (!topic) throw new Error('a topic is needed');
if (order === 'kafkajs-first') await import('kafkajs');
const { linearGroupCalls, linearGroupingInstalled } = await import(
  '../../lib/kafka/kafkajs-patches/linear-group-messages.ts'
);
const { localKafkaAdminConnection } = await import('../../scripts/support/kafka-env.ts');
const { createIdempotentProducer, createKafka } = await import('../../lib/kafka/kafka-client.ts');
const { createLogger } = await import('../../lib/logger.ts');

const kafka = createKafka({
  ...localKafkaAdminConnection(),
  clientId: 'produce-batch-child',
  logger: createLogger('child', 'warn'),
});
const producer = createIdempotentProducer(kafka);
await producer.connect();
await producer.send({
  topic,
  messages: Array.from({ length: Number(countArg) }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })),
});
await producer.disconnect();
console.log(JSON.stringify({ installed: linearGroupingInstalled(), calls: linearGroupCalls() }));
