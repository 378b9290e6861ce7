/**
 * kafkajs 2.2.4's own `producer/groupMessagesPerPartition.js`, evaluated from its file: in a process
 * that loaded lib/kafka/kafkajs-patches/linear-group-messages.ts first, the module cache holds the replacement. For
 * the equivalence test (the microbenchmark, bench/group-messages.ts, is in git history).
 */
import { readFileSync } from 'node:fs';
import { kafkajsModulePath } from '../../lib/kafka/kafkajs-patches/kafkajs-module-cache.ts';
import type { GroupMessagesArgs } from '../../lib/kafka/kafkajs-patches/linear-group-messages.ts';

export function kafkajsGroupMessagesPerPartition<Message>(): (
  args: GroupMessagesArgs<Message>,
) => Record<number, Message[]> {
  const source = readFileSync(kafkajsModulePath('kafkajs/src/producer/groupMessagesPerPartition.js'), 'utf8');
  return new Function('module', `${source}\nreturn module.exports;`)({});
}
