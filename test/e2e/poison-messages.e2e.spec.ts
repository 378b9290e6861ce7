import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { IHeaders } from 'kafkajs';
import { type RecordSchema, recordSchemas } from '../../lib/avro/record-catalog.ts';
import { loadCommonConfig } from '../../lib/config/common-config.ts';
import { type RecordName, recordTopics } from '../../lib/contracts/generated.ts';
import { kafkaServicePrincipals, topicOwnership } from '../../lib/kafka/acls.ts';
import { deadLetterTopicOf, deployedTopic } from '../../lib/kafka/topics.ts';
import { HeaderNames } from '../../lib/messaging/headers.ts';
import {
  groupOf,
  type KafkaHarness,
  openKafkaHarness,
  recordTopic,
  waitForCommittedPast,
} from '../support/kafka-harness.ts';
import {
  type PoisonContext,
  type PoisonMessage,
  poisonKinds,
  randomPayload,
} from '../support/poison-messages.ts';
import { http, orderBody, placeOrder, urls, waitForStatus } from '../support/system-under-test.ts';
import { waitFor } from '../support/wait-for.ts';

/** Every topic a service consumes (lib/kafka/acls.ts, the source of the READ ACLs), with its reader. */
const consumed = kafkaServicePrincipals.flatMap((service) =>
  topicOwnership[service].reads.map((base) => ({ service, base, topic: deployedTopic(base) })),
);
const recordsOf = (base: string): RecordName[] =>
  (Object.keys(recordTopics) as RecordName[]).filter((name) => recordTopics[name] === base);

interface Sent extends PoisonMessage {
  id: string;
  topic: string;
  service: string;
  messageId: string | undefined;
  partition: number;
  offset: string;
}

/**
 * At least 100 poison messages of more than 10 kinds on every consumed topic (the participants'
 * commands, the orchestrator's replies): each lands in the topic's dead-letter topic with its reason,
 * no partition stalls, the consumers keep serving, and nothing is applied.
 */
describe('poison messages', () => {
  let harness: KafkaHarness;
  let records: Map<RecordName, RecordSchema>;
  let foreignSchemaId: number;
  before(async () => {
    harness = await openKafkaHarness('e2e-poison');
    records = recordSchemas();
    // a record none of our topics carries, under a subject of its own
    const registry = new SchemaRegistry({ host: loadCommonConfig().schemaRegistryUrl });
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Foreign',
          namespace: 'poison.elsewhere',
          fields: [{ name: 'orderId', type: 'string' }],
        }),
      },
      { subject: `poison-${randomUUID()}-value` },
    );
    foreignSchemaId = id;
  });
  after(() => harness.close());

  test('every poison message is dead-lettered with its reason; the partitions and the consumers go on', async () => {
    const copies = 2;
    const sent: Sent[] = [];
    const dlts = await Promise.all(
      consumed.map(({ topic }) => recordTopic(harness.kafka, deadLetterTopicOf(topic))),
    );
    // The participants' command topics (the notification service also reads order-events: no replies).
    const replyTopics = consumed.filter((c) => c.base.endsWith('-commands')).map((c) => c.base);
    const replies = await Promise.all(
      [...new Set(Object.values(recordTopics))]
        .filter((base) => base.endsWith('-events') && base !== 'order-events' && base !== 'audit-events')
        .map((base) => recordTopic(harness.kafka, deployedTopic(base))),
    );
    try {
      assert.equal(replies.length, replyTopics.length, 'a reply topic per participant');
      for (let copy = 0; copy < copies; copy++) {
        for (const [i, { service, base, topic }] of consumed.entries()) {
          const isReplies = service === 'orchestrator';
          const next = consumed[(i + 1) % consumed.length];
          const own = recordsOf(base)[copy % recordsOf(base).length] as RecordName;
          const foreign = recordsOf(next?.base ?? '')[0] as RecordName;
          const context: PoisonContext = {
            topic,
            own,
            foreign,
            replies: isReplies,
            encode: (type, payload) => harness.codec.encode(type, payload as never),
            schemaIdOf: (type) => harness.codec.schemaIdOf(type),
            payloadOf: (type, orderId) => randomPayload(records.get(type) as RecordSchema, orderId),
            foreignSchemaId,
            unknownSchemaId: 2_000_000_000 + sent.length,
          };
          for (const kind of poisonKinds) {
            if (kind.repliesOnly && !isReplies) continue;
            const id = `${kind.kind}/${topic}/${copy}`;
            const message = await kind.build(context, randomUUID());
            const headers: IHeaders = { ...message.headers, 'poison-id': id };
            const [result] = await harness.producer.send({
              topic,
              acks: -1,
              messages: [{ key: message.key, value: message.value, headers }],
            });
            assert.ok(result, `sent ${id}`);
            const messageId = headers[HeaderNames.messageId];
            sent.push({
              ...message,
              kind: kind.kind,
              reason: kind.reason,
              id,
              topic,
              service,
              messageId: typeof messageId === 'string' ? messageId : undefined,
              partition: result.partition,
              offset: result.baseOffset ?? '0',
            });
          }
        }
      }
      const kinds = new Set(sent.map((s) => s.kind));
      assert.ok(sent.length >= 100, `${sent.length} poison messages`);
      for (const { topic } of consumed) {
        const onTopic = sent.filter((s) => s.topic === topic);
        assert.ok(new Set(onTopic.map((s) => s.kind)).size >= 10, `at least 10 kinds on ${topic}`);
      }

      // Every one in its topic's DLT, with the reason its kind calls for.
      for (const [i, { topic }] of consumed.entries()) {
        const dlt = dlts[i];
        assert.ok(dlt);
        const expected = sent.filter((s) => s.topic === topic);
        const letters = await waitFor(
          `the ${expected.length} poison messages of ${topic} in its DLT`,
          () => {
            const byId = new Map(dlt.messages.map((m) => [m.headers['poison-id'], m]));
            return expected.every((s) => byId.has(s.id)) ? byId : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 250 },
        );
        for (const s of expected) {
          const letter = letters.get(s.id);
          assert.ok(letter);
          assert.equal(letter.headers['dlt-reason'], s.reason, `${s.id}: ${letter.headers['dlt-error']}`);
          assert.ok((letter.headers['dlt-error'] ?? '').length > 0, `${s.id} says why`);
          assert.equal(letter.headers['dlt-source-topic'], topic);
          assert.equal(letter.headers['dlt-source-offset'], s.offset, s.id);
          assert.equal(letter.key, s.key, `${s.id}: the original key`);
          assert.equal(letter.value?.length ?? null, s.value?.length ?? null, `${s.id}: the original value`);
        }
        const twice = dlt.messages.filter((m) => expected.some((s) => s.id === m.headers['poison-id']));
        assert.equal(twice.length, expected.length, `${topic}: each poison message dead-lettered once`);
      }

      // No partition stalls: every reader commits past the last poison message of each partition...
      const last = new Map<string, Sent>();
      for (const s of sent) {
        const at = `${s.topic}:${s.partition}`;
        const seen = last.get(at);
        if (!seen || BigInt(s.offset) > BigInt(seen.offset)) last.set(at, s);
      }
      for (const s of last.values())
        await waitForCommittedPast(harness.admin, groupOf(s.service), s.topic, s.partition, s.offset);
      // ...and orders placed after the poison complete, the services all ready.
      const orders = await Promise.all(
        Array.from({ length: 4 }, () => placeOrder(orderBody({ sku: 'SKU-002', quantity: 1 }))),
      );
      for (const orderId of orders) await waitForStatus(orderId, ['COMPLETED'], 60_000);
      for (const url of [urls.orchestrator, urls.inventory, urls.payment, urls.shipping]) {
        const ready = await http('GET', `${url}/health/ready`);
        assert.equal(ready.status, 200, `${url} ready: ${JSON.stringify(ready.body)}`);
      }

      // Nothing applied: no participant replied to a poison command.
      await Promise.all(replies.map((r) => r.caughtUp()));
      const poisonIds = new Set(sent.flatMap((s) => (s.messageId ? [s.messageId] : [])));
      const answered = replies.flatMap((r) =>
        r.messages.filter((m) => poisonIds.has(m.headers['causation-id'] ?? '') && !m.headers['poison-id']),
      );
      assert.deepEqual(
        answered.map((m) => `${m.topic} ${m.headers['record-type']}`),
        [],
        'replies caused by poison',
      );
      console.log(`# ${sent.length} poison messages of ${kinds.size} kinds on ${consumed.length} topics`);
    } finally {
      await Promise.all([...dlts, ...replies].map((r) => r.stop()));
    }
  });
});
