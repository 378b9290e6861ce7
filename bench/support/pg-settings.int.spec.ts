import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { readServerSettings, recordedSettings } from './pg-settings.ts';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultDatabaseUrl });
before(() => client.connect());
after(() => client.end());

test('every recorded setting is read from the real server, as the server shows it', async () => {
  const settings = await readServerSettings(client);
  assert.deepEqual(Object.keys(settings).sort(), [...recordedSettings].sort());
  const { rows } = await client.query<{ autovacuum: string; shared_buffers: string }>(
    'select current_setting($1) as autovacuum, current_setting($2) as shared_buffers',
    ['autovacuum', 'shared_buffers'],
  );
  assert.equal(settings.autovacuum, rows[0]?.autovacuum);
  assert.equal(settings.shared_buffers, rows[0]?.shared_buffers);
  assert.match(settings.server_version ?? '', /^\d+(\.\d+)?/);
});
