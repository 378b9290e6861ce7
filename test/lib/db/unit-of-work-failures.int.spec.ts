import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DatabaseUnavailableError } from '../../../lib/db/database-unavailable.ts';
import { createUnitOfWorkRunner } from '../../../lib/db/unit-of-work.ts';
import { createLogger } from '../../../lib/logger.ts';
import { isTransientError } from '../../../lib/messaging/transient-errors.ts';
import type { ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { createUnitOfWorkDatabase } from '../../support/unit-of-work-tables.ts';

/**
 * How the unit of work's failures read to a consumer on a real PostgreSQL: a statement the server
 * refuses is the message's problem (permanent) even when its text says "Connection terminated"; a
 * connection lost under a unit is an outage (transient) by its type, whatever its message.
 */
describe('unit of work (PostgreSQL): outage or bad message, by type', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createUnitOfWorkDatabase();
  });
  after(async () => database.drop());

  const runnerOf = () =>
    createUnitOfWorkRunner({
      databaseUrl: database.url,
      maxConnections: 1,
      acquireTimeoutMs: 2_000,
      logger: createLogger('unit-of-work-failures-it', 'silent'),
    });

  test('a value quoting an outage that the server refuses is permanent', async () => {
    const runner = runnerOf();
    try {
      for (const text of [
        'Connection terminated unexpectedly',
        'read ECONNRESET',
        'terminating connection',
      ]) {
        const error = await runner
          .run((unit) => unit.read({ text: 'select $1::uuid as id', values: [text] }))
          .then(
            () => assert.fail('the server took a non-uuid'),
            (rejected: unknown) => rejected,
          );
        assert.equal((error as { code?: unknown }).code, '22P02', String(error));
        assert.ok(String(error).includes(text), `the server quotes the value: ${String(error)}`);
        assert.equal(isTransientError(error), false, String(error));
      }
      const [row] = await runner.run((unit) =>
        unit.read<{ n: number }>({ text: 'select 1 as n', values: [] }),
      );
      assert.equal(row?.n, 1, 'the connection is still usable');
    } finally {
      await runner.close();
    }
  });

  test('a connection terminated under a unit is an outage; the next unit gets a new connection', async () => {
    const runner = runnerOf();
    try {
      const error = await runner
        .run(async (unit) => {
          const [me] = await unit.read<{ pid: number }>({
            text: 'select pg_backend_pid() as pid',
            values: [],
          });
          // terminated while a statement runs (an idle checked-out connection's end is another story)
          const [, slept] = await Promise.allSettled([
            database.db.raw('select pg_terminate_backend(?)', [me?.pid ?? 0]),
            unit.read({ text: 'select pg_sleep($1::int)', values: [30] }),
          ]);
          if (slept.status === 'rejected') throw slept.reason;
        })
        .then(
          () => assert.fail('a terminated connection answered'),
          (rejected: unknown) => rejected,
        );
      assert.equal(isTransientError(error), true, String(error));
      assert.ok(
        error instanceof DatabaseUnavailableError || (error as { code?: unknown }).code === '57P01',
        `typed or coded: ${String(error)}`,
      );
      const [row] = await runner.run((unit) =>
        unit.read<{ n: number }>({ text: 'select 2 as n', values: [] }),
      );
      assert.equal(row?.n, 2);
    } finally {
      await runner.close();
    }
  });

  test('no database to connect to is an outage', async () => {
    const url = new URL(database.url);
    url.port = '9'; // discard: nothing listens
    const runner = createUnitOfWorkRunner({
      databaseUrl: url.toString(),
      maxConnections: 1,
      acquireTimeoutMs: 2_000,
      logger: createLogger('unit-of-work-failures-it', 'silent'),
    });
    try {
      const error = await runner
        .run(async () => undefined)
        .then(
          () => assert.fail('connected to nothing'),
          (rejected: unknown) => rejected,
        );
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.equal(isTransientError(error), true);
    } finally {
      await runner.close();
    }
  });
});
