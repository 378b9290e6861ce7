import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clientAcls,
  clientTopicAcls,
  dltToolGroupPrefix,
  type KafkaAcl,
  kafkaOperatorPrincipal,
  kafkaServicePrincipals,
  operatorGroupAcls,
  operatorTopicAcls,
  serviceAcls,
  serviceTopicAcls,
} from './acls.ts';
import { topicsWithPrefix } from './topics.ts';

const prefix = 't1.';
const acls = clientAcls(prefix);
const operator = `User:${kafkaOperatorPrincipal}`;
const sorted = (names: readonly string[]): string[] => [...names].sort();

/** Topics on which `principal` has `operation`. */
const topics = (principal: string, operation: KafkaAcl['operation']): string[] =>
  sorted(
    acls
      .filter((a) => a.principal === principal && a.resourceType === 'TOPIC' && a.operation === operation)
      .map((a) => a.resourceName),
  );

/** Every dead-letter topic some service writes (its consumer dead-letters there). */
const writtenDlts = (): string[] =>
  sorted([
    ...new Set(
      serviceAcls(prefix)
        .filter((a) => a.operation === 'WRITE' && a.resourceName.endsWith('-dlt'))
        .map((a) => a.resourceName),
    ),
  ]);

test('the operator reads every dead-letter topic a service writes, and no other topic', () => {
  const dlts = writtenDlts();
  assert.equal(dlts.length, 7, 'the DLTs of the seven consumed topics');
  assert.deepEqual(topics(operator, 'READ'), dlts);
  // audit-events-dlt exists but no service consumes audit-events, so none ever writes it
  assert.ok(topicsWithPrefix(prefix).includes('t1.audit-events-dlt'));
  assert.ok(!dlts.includes('t1.audit-events-dlt'));
});

test('the operator writes the source topic of each DLT it reads (a replay), and nothing else', () => {
  assert.deepEqual(
    topics(operator, 'WRITE'),
    writtenDlts().map((dlt) => dlt.slice(0, -'-dlt'.length)),
  );
  assert.deepEqual(
    topics(operator, 'WRITE'),
    sorted([
      't1.inventory-commands',
      't1.payment-commands',
      't1.shipping-commands',
      't1.inventory-events',
      't1.payment-events',
      't1.shipping-events',
      't1.order-events',
    ]),
  );
  assert.ok(!topics(operator, 'WRITE').includes('t1.audit-events'), 'replays are audited in the database');
  assert.ok(!topics(operator, 'WRITE').some((t) => t.endsWith('-dlt')), 'it never writes a DLT');
});

test('the operator has one group right, its listing groups by prefix, and no cluster right, ALL or wildcard', () => {
  const mine = acls.filter((a) => a.principal === operator);
  assert.deepEqual(
    mine.filter((a) => a.resourceType !== 'TOPIC'),
    [
      {
        principal: operator,
        resourceType: 'GROUP',
        resourceName: 'dlt-tool-',
        patternType: 'PREFIXED',
        operation: 'READ',
      },
    ],
  );
  for (const a of mine.filter((x) => x.resourceType === 'TOPIC')) {
    assert.equal(a.patternType, 'LITERAL', `${a.resourceName} is one topic`);
    assert.ok(a.resourceName.startsWith(prefix), `${a.resourceName} carries the prefix`);
    assert.ok(a.operation === 'READ' || a.operation === 'WRITE', `${a.operation} on ${a.resourceName}`);
  }
  // the operator's groups and the services' (`<service>…`) never overlap
  for (const service of kafkaServicePrincipals) {
    assert.ok(!dltToolGroupPrefix.startsWith(service) && !service.startsWith(dltToolGroupPrefix), service);
  }
});

test('only the operator reads a dead-letter topic: a service writes its own, reads none', () => {
  for (const dlt of writtenDlts()) {
    const readers = acls
      .filter((a) => a.resourceName === dlt && a.operation === 'READ')
      .map((a) => a.principal);
    assert.deepEqual(readers, [operator], `${dlt} readers`);
  }
});

test('clientAcls are the services’ and the operator’s; a run removes only its topics’ ACLs', () => {
  assert.deepEqual(acls, [...serviceAcls(prefix), ...operatorTopicAcls(prefix), ...operatorGroupAcls()]);
  assert.deepEqual(clientTopicAcls(prefix), [...serviceTopicAcls(prefix), ...operatorTopicAcls(prefix)]);
  assert.ok(
    clientTopicAcls(prefix).every((a) => a.resourceType === 'TOPIC' && a.resourceName.startsWith(prefix)),
  );
  assert.equal(new Set(acls.map((a) => JSON.stringify(a))).size, acls.length, 'no duplicates');
});
