import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { PostgresWatcher, walPerSaga } from './postgres-stats.ts';

const databaseUrl = process.env.DATABASE_URL ?? defaultDatabaseUrl;
const watcher = new PostgresWatcher(databaseUrl);
const client = new pg.Client({ connectionString: databaseUrl });
before(() => Promise.all([watcher.connect(), client.connect()]));
after(() => Promise.all([watcher.close(), client.end()]));

test('the WAL, checkpoint and commit counters grow with writes and a checkpoint', async () => {
  const [wal, commits] = [await watcher.wal(), await watcher.commits()];
  await client.query('create temporary table wal_probe (n int, padding text)');
  await client.query("insert into wal_probe select n, repeat('x', 100) from generate_series(1, 2000) n");
  await client.query('checkpoint');
  const perSaga = walPerSaga(wal, await watcher.wal(), 1);
  // A temporary table is not WAL-logged, but its catalogue rows and the checkpoint record are.
  assert.ok(perSaga && perSaga.recordsPerSaga > 0 && perSaga.kbPerSaga > 0, JSON.stringify(perSaga));
  assert.ok(perSaga.checkpoints >= 1);
  // Backends flush their commit counts at most once a second: only the counter's shape is certain.
  assert.ok(commits > 0 && (await watcher.commits()) >= commits);
  assert.equal(walPerSaga(wal, wal, 0), null);
  assert.ok(Object.keys(await watcher.rowsWritten(1)).length > 0, 'rows written per table');
});

test("the server's processes are grouped, this connection's backend among the bench db's", () => {
  const groups = watcher.groups();
  assert.ok((groups.get('postgres: background') ?? []).length >= 1);
  assert.ok((groups.get('postgres: bench db') ?? []).length >= 1);
});
