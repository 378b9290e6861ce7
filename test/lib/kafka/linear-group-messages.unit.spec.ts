import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type GroupMessagesArgs,
  groupMessagesPerPartition,
} from '../../../lib/kafka/kafkajs-patches/linear-group-messages.ts';
import { kafkajsGroupMessagesPerPartition } from '../../support/kafkajs-group-messages.ts';

type Message = { key: string; value: string };
type Group = (args: GroupMessagesArgs<Message>) => Record<number, Message[]>;

const kafkajsGroup: Group = kafkajsGroupMessagesPerPartition();

describe('groupMessagesPerPartition (linear)', () => {
  it("gives kafkajs's result: the same partitions, first-met key order, messages in input order", () => {
    let seed = 20261204;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 50; run++) {
      const partitions = 1 + Math.floor(random() * 8);
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId }));
      const messages = Array.from({ length: Math.floor(random() * 300) }, (_, i) => ({
        key: `k${Math.floor(random() * 50)}`,
        value: `v${i}`,
      }));
      const byKey = new Map<string, number>();
      const partitioner = ({ message }: { message: Message }) => {
        const known = byKey.get(message.key);
        if (known !== undefined) return known;
        const chosen = Math.floor(random() * partitions);
        byKey.set(message.key, chosen);
        return chosen;
      };
      const args = { topic: 'orders', partitionMetadata, messages, partitioner };
      const expected = kafkajsGroup(args);
      const actual = groupMessagesPerPartition(args);
      assert.deepStrictEqual(actual, expected, `run ${run}`);
      assert.deepStrictEqual(Object.keys(actual), Object.keys(expected), `key order, run ${run}`);
    }
  });

  it('groups nothing for a topic without partition metadata, as kafkajs does', () => {
    const args = {
      topic: 'orders',
      partitionMetadata: [],
      messages: [{ key: 'a', value: 'b' }],
      partitioner: () => 0,
    };
    assert.deepStrictEqual(groupMessagesPerPartition(args), kafkajsGroup(args));
    assert.deepStrictEqual(groupMessagesPerPartition(args), {});
  });

  it("is the first import of every service's main.ts, so it is in place before kafkajs loads", () => {
    for (const main of [
      'orchestrator/main.ts',
      'participants/inventory/main.ts',
      'participants/payment/main.ts',
      'participants/shipping/main.ts',
    ]) {
      const source = readFileSync(new URL(`../../../${main}`, import.meta.url), 'utf8');
      const firstImport = /^import .*$/m.exec(source)?.[0];
      assert.match(firstImport ?? '', /^import '(\.\.\/)+lib\/kafka\/kafkajs-patches\/index\.ts';$/, main);
    }
  });
});
