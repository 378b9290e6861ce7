/**
 * Microbenchmark of grouping one produce batch by partition: kafkajs 2.2.4's
 * `producer/groupMessagesPerPartition.js` against `lib/kafka/kafkajs-patches/linear-group-messages.ts`, for one topic
 * of 3 partitions and batches of 100 to 5,000 messages (the outbox relay sends up to 5,000 rows per
 * request). Interleaved rounds; prints µs per message and the command.
 *
 *   node --import tsx bench/group-messages.ts [--calls 200] [--rounds 3]
 */
import {
  type GroupMessagesArgs,
  groupMessagesPerPartition,
} from '../lib/kafka/kafkajs-patches/linear-group-messages.ts';
import { kafkajsGroupMessagesPerPartition } from '../test/support/kafkajs-group-messages.ts';
import { positiveIntegerOptions, roundsAndMedian } from './support/microbenchmark-options.ts';

const { calls, rounds } = positiveIntegerOptions({ calls: 200, rounds: 3 });

type Message = { key: string; value: string; partition: number };
type Group = (args: GroupMessagesArgs<Message>) => Record<number, Message[]>;
const kafkajsGroup: Group = kafkajsGroupMessagesPerPartition();

const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId }));
const partitioner = ({ message }: { message: Message }) => message.partition;

function microsPerMessage(group: Group, size: number): number {
  const messages = Array.from({ length: size }, (_, i) => ({ key: `k${i}`, value: 'v', partition: i % 3 }));
  const started = performance.now();
  let grouped = 0;
  for (let call = 0; call < calls; call++) {
    grouped += Object.keys(group({ topic: 'orders', partitionMetadata, messages, partitioner })).length;
  }
  if (grouped !== 3 * calls) throw new Error('unexpected grouping');
  return ((performance.now() - started) * 1000) / (calls * size);
}

console.log(`one topic of 3 partitions, ${calls} calls per round, µs per message:`);
for (const size of [100, 1_000, 5_000]) {
  microsPerMessage(kafkajsGroup, size);
  microsPerMessage(groupMessagesPerPartition, size);
  const results = { kafkajs: [] as number[], linear: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    results.kafkajs.push(microsPerMessage(kafkajsGroup, size));
    results.linear.push(microsPerMessage(groupMessagesPerPartition, size));
  }
  console.log(`  ${size} messages: kafkajs 2.2.4 ${roundsAndMedian(results.kafkajs, 3)}`);
  console.log(`  ${size} messages: linear       ${roundsAndMedian(results.linear, 3)}`);
}
console.log(`reproduce: node --import tsx bench/group-messages.ts --calls ${calls} --rounds ${rounds}`);
