import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { readWalCounters } from './wal-stats.ts';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultDatabaseUrl });
before(() => client.connect());
after(() => client.end());

test('the server’s WAL and checkpoint counters grow with writes and a checkpoint', async () => {
  const before = await readWalCounters(client);
  assert.ok(before, 'pg_stat_wal is readable (Postgres 14 or later)');
  assert.ok(Number.isFinite(before.checkpoints), 'a checkpoint counter view answered');
  await client.query('create temporary table wal_probe (n int, padding text)');
  await client.query("insert into wal_probe select n, repeat('x', 100) from generate_series(1, 2000) n");
  await client.query('checkpoint');
  const after = await readWalCounters(client);
  assert.ok(after);
  // A temporary table is not WAL-logged, but its catalogue rows and the checkpoint record are.
  assert.ok(after.records > before.records, `records ${before.records} → ${after.records}`);
  assert.ok(after.bytes > before.bytes, `bytes ${before.bytes} → ${after.bytes}`);
  assert.ok(
    after.checkpoints >= before.checkpoints + 1,
    `checkpoints ${before.checkpoints} → ${after.checkpoints}`,
  );
});
