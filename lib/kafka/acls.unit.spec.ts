import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  anonymousBenchAcls,
  type KafkaAcl,
  serviceAcls,
  serviceGroupAcls,
  serviceTopicAcls,
  topicOwnership,
} from './acls.ts';
import { businessTopics } from './topics.ts';

const prefix = 't1.';
const acls = serviceAcls(prefix);

/** `operation` rights of a principal on topics, by name. */
const topicsOf = (service: string, operation: KafkaAcl['operation']): string[] =>
  acls
    .filter(
      (a) => a.principal === `User:${service}` && a.resourceType === 'TOPIC' && a.operation === operation,
    )
    .map((a) => {
      assert.equal(a.patternType, 'LITERAL', `${service} ${operation} ${a.resourceName} is one topic`);
      return a.resourceName;
    })
    .sort();

const sorted = (names: string[]): string[] => [...names].sort();

test('the orchestrator writes the commands, order-events and audit-events, and reads the participants’ events', () => {
  assert.deepEqual(
    topicsOf('orchestrator', 'WRITE'),
    sorted([
      't1.inventory-commands',
      't1.payment-commands',
      't1.shipping-commands',
      't1.order-events',
      't1.audit-events',
      't1.inventory-events-dlt',
      't1.payment-events-dlt',
      't1.shipping-events-dlt',
    ]),
  );
  assert.deepEqual(
    topicsOf('orchestrator', 'READ'),
    sorted(['t1.inventory-events', 't1.payment-events', 't1.shipping-events']),
  );
});

test('each participant writes only its own events (and audit-events), reads only its own commands', () => {
  for (const p of ['inventory', 'payment', 'shipping']) {
    assert.deepEqual(
      topicsOf(p, 'WRITE'),
      sorted([`t1.${p}-events`, 't1.audit-events', `t1.${p}-commands-dlt`]),
      `${p} writes`,
    );
    assert.deepEqual(topicsOf(p, 'READ'), [`t1.${p}-commands`], `${p} reads`);
  }
});

test('no one but the owner may write a business topic: a forged reply needs the owner’s password', () => {
  const writersOf = (topic: string) =>
    acls
      .filter((a) => a.operation === 'WRITE' && a.resourceName === `${prefix}${topic}`)
      .map((a) => a.principal)
      .sort();
  for (const topic of businessTopics.filter((t) => t !== 'audit-events')) {
    assert.equal(writersOf(topic).length, 1, `${topic} has exactly one writer`);
  }
  // Every service records its own operators' actions.
  assert.deepEqual(writersOf('audit-events'), [
    'User:inventory',
    'User:orchestrator',
    'User:payment',
    'User:shipping',
  ]);
  const readers = (topic: string) =>
    acls
      .filter((a) => a.operation === 'READ' && a.resourceName === `${prefix}${topic}`)
      .map((a) => a.principal);
  assert.deepEqual(readers('payment-events'), ['User:orchestrator']);
  assert.deepEqual(readers('payment-commands'), ['User:payment']);
  assert.deepEqual(readers('order-events'), ['User:notifications']);
});

test('the notification service reads order-events and writes only its dead letters', () => {
  assert.deepEqual(topicsOf('notifications', 'READ'), ['t1.order-events']);
  assert.deepEqual(topicsOf('notifications', 'WRITE'), ['t1.order-events-dlt']);
});

test('each service reads its consumer groups by prefix (KAFKA_GROUP_ID_SUFFIX), and nothing broader', () => {
  for (const service of Object.keys(topicOwnership)) {
    const groups = acls.filter((a) => a.principal === `User:${service}` && a.resourceType === 'GROUP');
    assert.deepEqual(groups, [
      {
        principal: `User:${service}`,
        resourceType: 'GROUP',
        resourceName: service,
        patternType: 'PREFIXED',
        operation: 'READ',
      },
    ]);
  }
  assert.equal(
    acls.some((a) => a.resourceType === 'CLUSTER' || a.operation === 'ALL' || a.resourceName === '*'),
    false,
    'no cluster rights, no ALL, no wildcard for a service',
  );
});

test('the topic prefix applies to every topic ACL; without a prefix the base names are used', () => {
  for (const a of acls.filter((x) => x.resourceType === 'TOPIC'))
    assert.ok(a.resourceName.startsWith(prefix));
  assert.ok(
    serviceAcls('').some((a) => a.resourceName === 'payment-events' && a.principal === 'User:payment'),
  );
  assert.equal(new Set(acls.map((a) => JSON.stringify(a))).size, acls.length, 'no duplicates');
});

test("a run's cleanup removes only its topics' ACLs, never the group ACLs every prefix shares", () => {
  const topicAcls = serviceTopicAcls(prefix);
  assert.ok(topicAcls.every((a) => a.resourceType === 'TOPIC' && a.resourceName.startsWith(prefix)));
  assert.deepEqual(
    acls.filter((a) => a.resourceType !== 'TOPIC'),
    serviceGroupAcls(),
  );
  assert.equal(acls.length, topicAcls.length + serviceGroupAcls().length);
});

test('the bench-only ACLs are for the unauthenticated principal alone', () => {
  assert.ok(anonymousBenchAcls().every((a) => a.principal === 'User:ANONYMOUS'));
  assert.equal(
    acls.some((a) => a.principal === 'User:ANONYMOUS'),
    false,
  );
});
