import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import knex from 'knex';
import { AvroDecodeError } from '../avro/errors.ts';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';
import { handlerFailureOutcome } from './retry-policy.ts';
import { isTransientError } from './transient-errors.ts';

/** An error as node-postgres reports a statement's failure: the server's SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
/** An error with a Node errno code, as a socket reports it. */
const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * Transient (wait the outage out) or permanent (retry a little, then dead-letter) is decided by the
 * error's type or code. Each case below has a message that says the opposite of its verdict: a
 * payload can put any text into a message (the server quotes values, knex its bindings).
 */
describe('transient or permanent: by type and code, never by message text', () => {
  const saysOutage = [
    'Connection terminated unexpectedly',
    'ECONNRESET',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'terminating connection due to administrator command',
    'Knex: Timeout acquiring a connection. The pool is probably full.',
  ];

  test('errors whose message reads like an outage but whose type or code is permanent are permanent', () => {
    const permanent: unknown[] = saysOutage.flatMap((text) => [
      new Error(text),
      new TypeError(text),
      // what the server answers for `where id = $1` with the payload's text as a uuid
      pgError('22P02', `invalid input syntax for type uuid: "${text}"`),
      pgError('23505', `duplicate key value violates unique constraint: ${text}`),
      // a handler's typed error quoting the payload
      Object.assign(new Error(`invalid ReserveStock: orderId '${text}' is not a UUID`), {
        name: 'InvalidCommandError',
      }),
      new AvroDecodeError('invalid_avro', `cannot decode: ${text}`),
      new kafkajs.KafkaJSNonRetriableError(text),
      new Error('batch failed', { cause: new Error(text) }),
    ]);
    for (const error of permanent) {
      assert.equal(isTransientError(error), false, `${String(error)} is permanent`);
      assert.equal(handlerFailureOutcome(error, 1, 3), 'retry', String(error));
      assert.equal(handlerFailureOutcome(error, 3, 3), 'dead-letter', String(error));
    }
  });

  test('errors whose message reads like a bad message but whose type or code is an outage are transient', () => {
    const bad = 'invalid input syntax for type uuid: "not-an-id"';
    const transient: unknown[] = [
      new DatabaseUnavailableError('query', new Error(bad)),
      new DatabaseUnavailableError('connect', 'no saga for order 42'),
      pgError('57P01', bad),
      pgError('08006', bad),
      pgError('40001', bad),
      pgError('40P01', bad),
      pgError('53300', bad),
      pgError('55P03', bad),
      errno('ECONNRESET', bad),
      errno('ECONNREFUSED', bad),
      errno('ETIMEDOUT', bad),
      new knex.KnexTimeoutError(bad),
      new kafkajs.KafkaJSConnectionError(bad),
      new AvroDecodeError('registry_unavailable', bad),
      // a typed wrapper keeps its cause's verdict
      new Error(bad, { cause: new DatabaseUnavailableError('query', new Error(bad)) }),
      new Error(bad, { cause: errno('EPIPE', bad) }),
    ];
    for (const error of transient) {
      assert.equal(isTransientError(error), true, `${String(error)} is transient`);
      assert.equal(handlerFailureOutcome(error, 3, 3), 'wait-out', String(error));
    }
  });

  test('what is not an Error is never transient, and a cause chain is followed only so far', () => {
    for (const value of [undefined, null, 'ECONNRESET', { code: 'ECONNRESET' }, 42]) {
      assert.equal(isTransientError(value), false, String(value));
    }
    let deep: Error = errno('ECONNRESET', 'deep');
    for (let i = 0; i < 6; i++) deep = new Error('wrapped', { cause: deep });
    assert.equal(isTransientError(deep), false, 'six wrappers deep is not looked at');
  });
});
