import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FaultInjectedError } from '../../lib/faults/fault-switch.ts';
import { operatorGroupAcls, operatorTopicAcls } from '../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../lib/kafka/ensure-acls.ts';
import { createLogger } from '../../lib/logger.ts';
import { createMessageConsumer, type MessageConsumer } from '../../lib/messaging/message-consumer.ts';
import {
  firstMessageHeaders,
  type KafkaHarness,
  openKafkaHarness,
  recordTopic,
} from '../../test/support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { localSecret } from '../support/local-secrets.ts';
import { runDlt } from './dlt-command.ts';

/**
 * A command that fails permanently (the `fail` fault: the consumer retries it, then dead-letters it)
 * is listed, its cause fixed, and it is replayed twice: the consumer applies it once. The tool runs
 * as the operator principal, with the operator's ACLs on this spec's topics (lib/kafka/acls.ts).
 */
describe('npm run dlt: list and replay (Kafka + PostgreSQL)', () => {
  let harness: KafkaHarness;
  let database: ThrowawayDatabase;
  let consumer: MessageConsumer;
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const prefix = `test-dlt-${runId}.`;
  const topic = `${prefix}inventory-commands`;
  const dlt = `${topic}-dlt`;
  let broken = true;
  /** What the handler applied: rows written in its transaction (a call alone may be rolled back). */
  const applied = async (): Promise<string[]> =>
    (await database.db('inventory.applied').orderBy('seq').select('message_id')).map((r) => r.message_id);

  before(async () => {
    harness = await openKafkaHarness('dlt-it');
    database = await createThrowawayDatabase({ poolMax: 5 });
    await database.db.raw(
      'create table inventory.applied (seq serial primary key, message_id uuid not null)',
    );
    await harness.admin.createTopics({
      waitForLeaders: true,
      topics: [topic, dlt].map((name) => ({ topic: name, numPartitions: 1, replicationFactor: 1 })),
    });
    await ensureAcls(harness.admin, [...operatorTopicAcls(prefix), ...operatorGroupAcls()]);
    consumer = createMessageConsumer({
      kafka: harness.kafka,
      groupId: `test-dlt-${runId}`,
      topics: [topic],
      decoder: harness.codec,
      units: database.units,
      inboxSchema: 'inventory',
      producer: harness.producer,
      logger: createLogger('dlt-it', 'silent'),
      handle: async (unit, messages) => {
        if (broken) throw new FaultInjectedError('ReserveStock');
        for (const m of messages)
          unit.writes.add('insert into inventory.applied (message_id) values (?)', [m.meta.messageId]);
      },
    });
    await consumer.start();
  });
  after(async () => {
    await consumer.stop();
    await harness.admin.deleteTopics({ topics: [topic, dlt] }).catch(() => undefined);
    await removeAcls(harness.admin, operatorTopicAcls(prefix));
    await harness.close();
    await database.drop();
  });

  const send = async (orderId: string, messageId: string) => {
    const value = await harness.codec.encode('ReserveStock', {
      orderId,
      items: [{ sku: 'SKU-001', quantity: 1 }],
    });
    const headers = firstMessageHeaders('ReserveStock', orderId, messageId);
    await harness.producer.send({ topic, messages: [{ key: orderId, value, headers }] });
  };
  const dltRunAs = async (as: 'operator' | 'admin', ...argv: string[]) => {
    const out: string[] = [];
    const operator = { KAFKA_USERNAME: 'operator', KAFKA_PASSWORD: localSecret('kafka-operator') };
    await runDlt(argv, (line) => out.push(line), {
      ...process.env,
      ...(as === 'operator' ? operator : {}),
      DATABASE_URL: database.url,
      DLT_OPERATOR: 'ops-alice',
    });
    return out.join('\n');
  };
  /** `npm run dlt` as the operator (the specs' own KAFKA_USERNAME is the admin: `admin` runs as it). */
  const dltRun = async (...argv: string[]) => dltRunAs('operator', ...argv);

  test('a dead letter is listed, replayed twice after its cause is fixed, and applied once', async () => {
    const orderId = randomUUID();
    const messageId = randomUUID();
    await send(orderId, messageId);

    const listing = await waitFor(
      'the failed command in the DLT listing',
      async () => {
        const text = await dltRun('list', dlt);
        return text.includes(messageId) ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const [header, line, count, ...more] = listing.split('\n');
    assert.equal(header, 'DLT P:OFFSET\tFAILED AT\tREASON\tSOURCE TOPIC/P@OFFSET\tKEY\tMESSAGE ID\tERROR');
    const fields = line?.split('\t') ?? [];
    assert.equal(fields.length, 7, line);
    const [position, failedAt, reason, source, key, id, error] = fields;
    assert.equal(position, '0:0');
    assert.ok(Math.abs(Date.parse(failedAt ?? '') - Date.now()) < 60_000, `failed at ${failedAt}`);
    assert.equal(reason, 'handler_failed');
    assert.equal(source, `${topic}/0@0`);
    assert.equal(key, orderId);
    assert.equal(id, messageId);
    assert.match(error ?? '', /^FaultInjectedError: injected fault: ReserveStock fails/);
    assert.equal(count, `1 dead letter in ${dlt}`);
    assert.deepEqual(more, []);
    assert.deepEqual(await applied(), [], 'nothing applied while it failed');

    // The cause is fixed; the operator replays it twice (a retried command, a second operator…).
    broken = false;
    const replays = await recordTopic(harness.kafka, topic);
    try {
      assert.equal(
        await dltRun('replay', dlt, '--offset', '0'),
        `replayed 1 dead letter of ${dlt} (audited on inventory as ops-alice)`,
      );
      assert.equal(
        await dltRun('replay', dlt, '--all'),
        `replayed 1 dead letter of ${dlt} (audited on inventory as ops-alice)`,
      );
      // A later message on the same partition: once it is handled, both replays were consumed.
      const sentinel = randomUUID();
      await send(orderId, sentinel);
      await waitFor(
        'the message after the replays handled',
        async () => ((await applied()).includes(sentinel) ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
      assert.deepEqual(
        await applied(),
        [messageId, sentinel],
        'the replayed command applied once, the second replay deduplicated',
      );

      const copies = await waitFor('both replays on the source topic', () => {
        const found = replays.messages.filter((m) => m.headers['dlt-replayed-from'] !== undefined);
        return found.length === 2 ? found : undefined;
      });
      for (const copy of copies) {
        assert.equal(copy.headers['message-id'], messageId, 'the original message id is kept');
        assert.equal(copy.headers['dlt-replayed-from'], `${dlt}/0@0`);
        assert.equal(copy.headers['dlt-reason'], undefined, 'no dead-letter headers');
      }
    } finally {
      await replays.stop();
    }

    // Each replay is audited on the consuming service: a row and its AuditRecorded in the outbox.
    const audits = await database.db('inventory.audit').where({ action: 'dlt_replay' }).orderBy('at');
    assert.equal(audits.length, 2);
    for (const a of audits) {
      assert.equal(a.actor, 'ops-alice');
      assert.equal(a.role, 'operator');
      assert.equal(a.target, `dlt:${dlt}`);
      assert.equal(a.outcome, 'applied');
      assert.equal(a.detail.kafkaPrincipal, 'operator');
      assert.deepEqual(a.detail.letters, [
        {
          partition: 0,
          offset: '0',
          messageId,
          reason: 'handler_failed',
          source: { topic, partition: 0, offset: '0' },
        },
      ]);
    }
    const events = await database.db('inventory.outbox').where({ record_type: 'AuditRecorded' });
    assert.equal(events.length, 2);
  });

  test('replay refuses what names no letter, and a topic that is no DLT', async () => {
    await assert.rejects(dltRun('replay', dlt, '--offset', '99'), /no dead letter at offset 99/);
    await assert.rejects(dltRun('replay', dlt), /either --offset N or --all/);
    await assert.rejects(dltRun('list', topic), /is not a dead-letter topic/);
    await assert.rejects(dltRun('replay', dlt, '--offset', 'x'), /--offset must be a whole number/);
  });

  test('as the admin only when asked: KAFKA_USERNAME=admin is refused, --as-admin lists', async () => {
    await assert.rejects(
      dltRunAs('admin', 'list', dlt),
      /runs as the Kafka principal 'operator'.*KAFKA_USERNAME=admin is refused.*--as-admin/,
    );
    assert.match(await dltRunAs('admin', 'list', dlt, '--as-admin'), /\n\d+ dead letters? in /);
  });
  test('a replay the broker refuses is recorded again, rejected with the error', async () => {
    // A letter whose source is a topic the operator may not write (nothing consumes audit-events).
    const orderId = randomUUID();
    const messageId = randomUUID();
    const refusedSource = `${prefix}audit-events`;
    const value = await harness.codec.encode('ReserveStock', {
      orderId,
      items: [{ sku: 'SKU-001', quantity: 1 }],
    });
    const [sent] = await harness.producer.send({
      topic: dlt,
      messages: [
        {
          key: orderId,
          value,
          headers: {
            ...firstMessageHeaders('ReserveStock', orderId, messageId),
            'dlt-reason': 'handler_failed',
            'dlt-error': 'forged for the test',
            'dlt-source-topic': refusedSource,
            'dlt-source-partition': '0',
            'dlt-source-offset': '0',
            'dlt-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
    const offset = String(sent?.baseOffset);
    await assert.rejects(dltRun('replay', dlt, '--offset', offset), /operator|authoriz/i);
    const audits = (
      await database.db('inventory.audit').where({ action: 'dlt_replay' }).orderBy('at')
    ).filter(
      (a: { detail: { letters: Array<{ messageId: string }> } }) =>
        a.detail.letters[0]?.messageId === messageId,
    );
    assert.deepEqual(
      audits.map((a: { outcome: string }) => a.outcome),
      ['applied', 'rejected'],
    );
    const rejected = audits[1] as {
      detail: { error: { name: string; message: string }; kafkaPrincipal: string };
    };
    assert.equal(rejected.detail.kafkaPrincipal, 'operator');
    assert.match(rejected.detail.error.message, /authoriz/i);
  });
});
