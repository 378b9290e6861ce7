/**
 * The audit trail against the real stack: PostgreSQL (throwaway database), Kafka and the schema
 * registry. An entry is a row and an AuditRecorded message, committed together or not at all; the
 * message reaches `audit-events` through the service's outbox and relay; GET /audit lists rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type AuditEntry, faultsTarget, orderTarget, skuTarget } from '../../../lib/audit/audit-entry.ts';
import { registerAuditRoute } from '../../../lib/audit/audit-route.ts';
import { AuditTrail } from '../../../lib/audit/audit-trail.ts';
import { createServiceApp } from '../../../lib/http/service-app.ts';
import { systemClock, timeOrderedIds } from '../../../lib/ids.ts';
import { baseTopics, deployedTopic } from '../../../lib/kafka/topics.ts';
import { createLogger } from '../../../lib/logger.ts';
import { HeaderNames } from '../../../lib/messaging/headers.ts';
import { Outbox } from '../../../lib/outbox/outbox.ts';
import { type OutboxRelay, startOutboxRelay } from '../../../lib/outbox/outbox-relay.ts';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../../support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { bearer, testAuthConfig } from '../../support/tokens.ts';
import { waitFor } from '../../support/wait-for.ts';

const logger = createLogger('audit-trail-it', 'warn');
const topic = deployedTopic(baseTopics.auditEvents);
const run = randomUUID().slice(0, 8);

const entry = (target: string, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: 'ops-ada',
  role: 'operator',
  action: 'fault_set',
  target,
  outcome: 'applied',
  detail: { fault: { mode: 'fail', commands: ['ProcessPayment'], delayMs: null } },
  correlationId: randomUUID(),
  ...overrides,
});

describe('audit trail (PostgreSQL, Kafka, schema registry)', () => {
  let database: ThrowawayDatabase;
  let harness: KafkaHarness;
  let published: Awaited<ReturnType<typeof recordTopic>>;
  let relay: OutboxRelay;
  let trail: AuditTrail;
  let app: FastifyInstance;

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    harness = await openKafkaHarness('audit-trail-it');
    published = await recordTopic(harness.kafka, topic);
    relay = startOutboxRelay({
      databaseUrl: database.url,
      schema: 'payment',
      producer: harness.producer,
      logger,
    });
    const outbox = new Outbox('payment', harness.codec, systemClock, relay);
    trail = new AuditTrail({
      service: 'payment',
      schema: 'payment',
      units: database.units,
      outbox,
      clock: systemClock,
      newId: timeOrderedIds(),
    });
    app = await createServiceApp(logger, {
      title: 'audit-it',
      description: 'audit-it',
      tags: ['audit'],
      auth: testAuthConfig(),
    });
    registerAuditRoute(app, { db: database.db, schema: 'payment' });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await relay?.stop();
    await published?.stop();
    await harness?.close();
    await database?.drop();
  });

  const rowsOf = (target: string) => database.db('payment.audit').where({ target }).select('*');

  test('an entry is a row and an AuditRecorded on audit-events, keyed by its target; order-id only for an order', async () => {
    const faults = faultsTarget(`payment-${run}`);
    const orderId = randomUUID();
    const order = orderTarget(orderId);
    const faultEntry = entry(faults);
    const retryEntry = entry(order, { action: 'retry', outcome: 'rejected', detail: { state: 'completed' } });
    const recordedFault = await trail.record(faultEntry);
    const recordedRetry = await trail.record(retryEntry);

    const [row] = await rowsOf(faults);
    assert.deepEqual(
      { ...row, at: row.at.getTime() },
      {
        audit_id: recordedFault.auditId,
        actor: 'ops-ada',
        role: 'operator',
        action: 'fault_set',
        target: faults,
        outcome: 'applied',
        detail: faultEntry.detail,
        at: recordedFault.at.getTime(),
      },
    );

    const messageOf = (auditId: string) =>
      waitFor(`AuditRecorded ${auditId} on ${topic}`, () =>
        published.messages.find((m) => m.headers[HeaderNames.messageId] === auditId),
      );
    const faultMessage = await messageOf(recordedFault.auditId);
    assert.equal(faultMessage.key, faults, 'keyed by the target');
    assert.equal(faultMessage.headers[HeaderNames.orderId], undefined, 'a fault switch is no order');
    assert.equal(faultMessage.headers[HeaderNames.correlationId], faultEntry.correlationId);
    assert.equal(faultMessage.headers[HeaderNames.recordType], 'AuditRecorded');
    assert.ok(faultMessage.value);
    assert.deepEqual(await harness.codec.decode(faultMessage.value), {
      type: 'AuditRecorded',
      payload: {
        auditId: recordedFault.auditId,
        service: 'payment',
        actor: 'ops-ada',
        role: 'operator',
        action: 'fault_set',
        target: faults,
        outcome: 'applied',
        detail: JSON.stringify(faultEntry.detail),
        occurredAt: recordedFault.at.getTime(),
      },
    });

    const retryMessage = await messageOf(recordedRetry.auditId);
    assert.equal(retryMessage.key, order);
    assert.equal(retryMessage.headers[HeaderNames.orderId], orderId, 'an order target carries its order id');
    const decoded = await harness.codec.decode(retryMessage.value ?? Buffer.alloc(0));
    assert.equal(decoded.type === 'AuditRecorded' && decoded.payload.outcome, 'rejected');
  });

  test('a unit of work that fails after the entry was added keeps neither the row nor the message', async () => {
    const target = skuTarget(`SKU-${run}-rolled-back`);
    await assert.rejects(
      database.units.run(async (unit) => {
        await trail.add(unit, entry(target, { action: 'price_changed' }));
        // Fails inside the one write statement, after the audit row and outbox row were added to it.
        unit.writes.addCheck('select 1 where false', [], {
          rows: 1,
          error: () => new Error('forced failure of the effect'),
        });
      }),
      /forced failure of the effect/,
    );
    assert.deepEqual(await rowsOf(target), []);
    assert.deepEqual(await database.db('payment.outbox').where({ message_key: target }).select('seq'), []);
  });

  test('GET /audit lists newest first, filters by target, limits; a bad limit is a 400 naming it', async () => {
    const target = faultsTarget(`listed-${run}`);
    const ids: string[] = [];
    for (const action of ['fault_set', 'fault_cleared', 'fault_set'])
      ids.push((await trail.record(entry(target, { action }))).auditId);
    await trail.record(entry(faultsTarget(`other-${run}`)));

    const list = async (query: string) =>
      app.inject({ method: 'GET', url: `/audit?${query}`, headers: bearer('operator') });
    const all = await list(`target=${encodeURIComponent(target)}`);
    assert.equal(all.statusCode, 200);
    const items: Array<{ auditId: string; target: string; action: string; actor: string; at: string }> =
      all.json().items;
    assert.deepEqual(
      items.map((i) => i.auditId),
      [...ids].reverse(),
      'only this target, newest first',
    );
    assert.deepEqual(
      items.map((i) => i.action),
      ['fault_set', 'fault_cleared', 'fault_set'],
    );
    assert.equal(items[0]?.actor, 'ops-ada');
    const two = await list(`target=${encodeURIComponent(target)}&limit=2`);
    assert.deepEqual(
      two.json().items.map((i: { auditId: string }) => i.auditId),
      [ids[2], ids[1]],
    );
    const unfiltered = await list('limit=200');
    assert.ok(unfiltered.json().items.length >= 5, 'every target without a filter');

    for (const limit of ['0', '201', 'many']) {
      const bad = await list(`limit=${limit}`);
      assert.equal(bad.statusCode, 400, `limit=${limit}`);
      assert.match(bad.json().message, /querystring\.limit/, `limit=${limit}`);
    }
    const unknown = await list('targets=x');
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /querystring\.targets is not a known field/);
  });
});
