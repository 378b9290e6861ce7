/**
 * Groups a produce batch by partition in linear time, in place of kafkajs 2.2.4's
 * `producer/groupMessagesPerPartition.js`, which builds each partition's list with
 * `[...current, message]` and an `Object.assign` per message: n messages of one topic cost about
 * n² ÷ (2 × partitions) element copies. Timed alone for one topic of 3 partitions: 2.2 µs per
 * message at 1,000 messages, 3.5 µs at 5,000 (bench/README.md, "Session of 2026-12-04 (third)"),
 * and the outbox relay sends up to 5,000 rows per request from the services' main threads.
 *
 * The result is the same object: partition → that partition's messages in input order, keys
 * created in the order partitions are first met; nothing when the topic has no partition metadata.
 *
 * kafkajs's `sendMessages.js` takes the function when kafkajs loads, and kafkajs's entry point
 * loads the producer at once. So the replacement must be in Node's module cache before anything
 * loads kafkajs: this module installs it when it is evaluated (after checking the kafkajs version),
 * and each service's main.ts imports the wall's entry point, `index.ts`, first
 * (`test/lib/kafka/linear-group-messages.unit.spec.ts` checks that). Where kafkajs was loaded
 * earlier (tools, tests) kafkajs's own function stays and `linearGroupingInstalled()` is false;
 * runService logs a warning then.
 */
import { kafkajsModulePath, replaceKafkajsModule } from './kafkajs-module-cache.ts';
import { assertPatchedKafkajsVersion } from './kafkajs-version.ts';

/** What kafkajs's sendMessages passes (a subset of its types). */
export interface GroupMessagesArgs<Message> {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly Message[];
  partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: Message }) => number;
}

export function groupMessagesPerPartition<Message>({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: GroupMessagesArgs<Message>): Record<number, Message[]> {
  groupCalls += 1;
  const grouped: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return grouped;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = grouped[partition];
    if (list === undefined) grouped[partition] = [message];
    else list.push(message);
  }
  return grouped;
}

let groupCalls = 0;
/** How many batches this process grouped with the linear function (tests check it is in use). */
export const linearGroupCalls = (): number => groupCalls;

const groupPath = kafkajsModulePath('kafkajs/src/producer/groupMessagesPerPartition.js');
const sendMessagesPath = kafkajsModulePath('kafkajs/src/producer/sendMessages.js');

const tooLate = 'kafkajs was loaded before lib/kafka/kafkajs-patches/index.ts';

function install(): boolean {
  assertPatchedKafkajsVersion();
  try {
    replaceKafkajsModule({
      path: groupPath,
      replacement: groupMessagesPerPartition,
      dependents: [sendMessagesPath],
      tooLate,
    });
    return true;
  } catch (error) {
    if (error instanceof Error && error.message === tooLate) return false;
    throw error;
  }
}

const installed = install();

/** Whether kafkajs's producer in this process groups with groupMessagesPerPartition above. */
export const linearGroupingInstalled = (): boolean => installed;
