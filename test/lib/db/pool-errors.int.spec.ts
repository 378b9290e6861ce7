import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { reportPoolErrors } from '../../../lib/db/pool-errors.ts';
import { queryBuilder } from '../../../lib/db/query-builder.ts';
import { createUnitOfWorkRunner } from '../../../lib/db/unit-of-work.ts';
import { capturedLogger } from '../../support/captured-logger.ts';
import type { ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { createUnitOfWorkDatabase } from '../../support/unit-of-work-tables.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * A connection that breaks while it is checked out (PostgreSQL restarted, its backend terminated)
 * must not end the process: node-postgres emits `error` on the client, which pg.Pool listens to only
 * while the client is idle. Found by the chaos run's PostgreSQL restart (four services exited).
 */
describe('pool errors (PostgreSQL): a broken connection, idle or in use, is reported, never uncaught', () => {
  let database: ThrowawayDatabase;
  let admin: pg.Client;
  before(async () => {
    database = await createUnitOfWorkDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  after(async () => {
    await admin.end();
    await database.drop();
  });

  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);

  test('checked out (between two statements) and idle: each reported once, the pool serves again', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, pipeline: true } as pg.PoolConfig);
    const reported: string[] = [];
    reportPoolErrors(pool, (error, state) => reported.push(`${state}: ${(error as { code?: string }).code}`));
    try {
      // checked out, no statement in flight (a unit of work between two of its statements):
      // without a listener of its own the client's `error` event would end this process
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
        await terminate(rows[0]?.pid as number);
        await waitFor(`the in-use error reported (so far: ${reported.join(', ')})`, () =>
          reported.includes('in use: 57P01') ? true : undefined,
        );
        await assert.rejects(client.query('select 1'), 'the broken client refuses statements');
      } finally {
        client.release(true);
      }
      const inUse = reported.length;
      assert.ok(
        reported.every((r) => r.startsWith('in use: ')),
        reported.join(', '),
      );

      const idle = await pool.connect();
      const { rows: idleRows } = await idle.query<{ pid: number }>('select pg_backend_pid() as pid');
      idle.release();
      await terminate(idleRows[0]?.pid as number);
      await waitFor('the idle error reported', () => (reported.length > inUse ? true : undefined));
      const { rows: again } = await pool.query<{ one: number }>('select 1 as one');
      assert.deepEqual(reported.slice(inUse), ['idle: 57P01'], 'an idle error once, not again as in use');
      assert.equal(again[0]?.one, 1);
    } finally {
      await pool.end();
    }
  });

  test('a unit of work whose connection is cut fails with the error, and the next one commits', async () => {
    const { logger, lines } = capturedLogger('warn');
    const runner = createUnitOfWorkRunner({ databaseUrl: database.url, maxConnections: 1, logger });
    try {
      const cut = runner.run(async (unit) => {
        const { pid } = (
          await admin.query<{ pid: number }>(
            `select pid from pg_stat_activity where datname = current_database() and usename = current_user and pid <> pg_backend_pid() and application_name = '' order by backend_start desc limit 1`,
          )
        ).rows[0] as { pid: number };
        await terminate(pid);
        await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }));
      });
      await assert.rejects(cut, /terminating connection|Connection terminated|EPIPE|ECONNRESET/);
      await waitFor('the broken connection logged', () =>
        lines.some((l) => l.msg === 'in use unit-of-work connection failed') ? true : undefined,
      );
      const after = await runner.run(async (unit) =>
        unit.read(queryBuilder('wb_parent').select('id').limit(1)),
      );
      assert.ok(Array.isArray(after));
    } finally {
      await runner.close();
    }
  });
});
