import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeadLetterRecord } from './dead-letter-records.ts';
import { toDeadLetterRecord } from './dead-letter-records.ts';
import { parseDltArgs } from './dlt-command.ts';
import { dltKafkaConnection } from './dlt-connection.ts';
import { formatDeadLetters } from './format-dead-letters.ts';
import { auditingService, consumingService, replayHeaders, selectLetters } from './replay-dead-letters.ts';

const letter = (partition: number, offset: string): DeadLetterRecord =>
  toDeadLetterRecord(partition, {
    offset,
    key: Buffer.from('order-1'),
    value: Buffer.from([0, 0, 0, 0, 1]),
    headers: {
      'message-id': Buffer.from('m-1'),
      'record-type': Buffer.from('AuthorizePayment'),
      'dlt-reason': Buffer.from('handler_failed'),
      'dlt-error': Buffer.from('Error: boom\n  at x'),
      'dlt-source-topic': Buffer.from('payment-commands'),
      'dlt-source-partition': Buffer.from('2'),
      'dlt-source-offset': Buffer.from('41'),
      'dlt-failed-at': Buffer.from('2026-12-07T10:00:00.000Z'),
    },
  });

describe('npm run dlt: arguments, listing, selection', () => {
  test('parses list and replay, refusing what is ambiguous or not a DLT', () => {
    assert.deepEqual(parseDltArgs(['list', 'payment-commands-dlt']), {
      command: 'list',
      topic: 'payment-commands-dlt',
      asAdmin: false,
    });
    assert.deepEqual(parseDltArgs(['replay', 'a-dlt', '--offset', '7', '--partition', '1']), {
      command: 'replay',
      topic: 'a-dlt',
      selection: { all: false, offset: '7', partition: 1 },
      asAdmin: false,
    });
    assert.equal(parseDltArgs(['list', 'a-dlt', '--as-admin']).asAdmin, true);
    assert.deepEqual(parseDltArgs(['replay', 'a-dlt', '--all']).selection, { all: true });
    assert.throws(
      () => parseDltArgs(['replay', 'a-dlt', '--all', '--offset', '1']),
      /either --offset N or --all/,
    );
    assert.throws(() => parseDltArgs(['list', 'payment-commands']), /not a dead-letter topic/);
    assert.throws(() => parseDltArgs(['drop', 'a-dlt']), /usage: npm run dlt/);
  });

  test('runs as the operator; the admin only with --as-admin', () => {
    const admin = { KAFKA_USERNAME: 'admin', KAFKA_PASSWORD: 'admin-secret' };
    assert.throws(
      () => dltKafkaConnection(admin, false),
      (error: Error) =>
        error.name === 'DltUsageError' &&
        /runs as the Kafka principal 'operator', not as the broker's super user: KAFKA_USERNAME=admin is refused/.test(
          error.message,
        ) &&
        /add --as-admin/.test(error.message),
    );
    assert.equal(dltKafkaConnection(admin, true).security.sasl?.username, 'admin');
    const operator = dltKafkaConnection({ KAFKA_PASSWORD: 'op-secret', KAFKA_BROKERS: 'b:1' }, false);
    assert.deepEqual(operator.security.sasl, {
      mechanism: 'scram-sha-512',
      username: 'operator',
      password: 'op-secret',
    });
    assert.equal(
      dltKafkaConnection({ KAFKA_USERNAME: 'ops-team', KAFKA_PASSWORD: 'x' }, false).security.sasl?.username,
      'ops-team',
      'a deployment may name its operator otherwise',
    );
  });

  test('lists one tab-separated line per letter, the error on one line, then the count', () => {
    assert.equal(
      formatDeadLetters('payment-commands-dlt', [letter(0, '5')]),
      [
        'DLT P:OFFSET\tFAILED AT\tREASON\tSOURCE TOPIC/P@OFFSET\tKEY\tMESSAGE ID\tERROR',
        '0:5\t2026-12-07T10:00:00.000Z\thandler_failed\tpayment-commands/2@41\torder-1\tm-1\tError: boom at x',
        '1 dead letter in payment-commands-dlt',
      ].join('\n'),
    );
  });

  test('an offset names one letter; in two partitions it needs the partition', () => {
    const letters = [letter(0, '5'), letter(1, '5'), letter(1, '6')];
    assert.deepEqual(selectLetters(letters, { all: false, offset: '6', partition: null }), [letters[2]]);
    assert.throws(
      () => selectLetters(letters, { all: false, offset: '5', partition: null }),
      /add --partition/,
    );
    assert.deepEqual(selectLetters(letters, { all: false, offset: '5', partition: 1 }), [letters[1]]);
    assert.equal(selectLetters(letters, { all: true }).length, 3);
  });

  test('a replay keeps the original headers, drops the dlt-* ones, and goes to the consumer of the source', () => {
    const headers = replayHeaders('payment-commands-dlt', letter(0, '5'));
    assert.deepEqual(headers, {
      'message-id': 'm-1',
      'record-type': 'AuthorizePayment',
      'dlt-replayed-from': 'payment-commands-dlt/0@5',
    });
    assert.equal(auditingService('payment-commands'), 'payment');
    assert.equal(auditingService('bench-x.inventory-events'), 'orchestrator');
    // notifications consumes order-events but keeps no audit trail: the writer of the topic records it
    assert.equal(consumingService('order-events'), 'notifications');
    assert.equal(auditingService('order-events'), 'orchestrator');
    assert.throws(() => auditingService('audit-events'), /no service consumes audit-events/);
  });
});
