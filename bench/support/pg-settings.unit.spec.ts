import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatServerSettings } from './pg-settings.ts';

test('the footer names the settings in a fixed order and warns when autovacuum is off', () => {
  const line = formatServerSettings({ max_wal_size: '1GB', autovacuum: 'off', server_version: '15.19' });
  assert.equal(
    line,
    'Postgres server: server_version 15.19, autovacuum off, max_wal_size 1GB; with autovacuum off only the outboxes are vacuumed during the run (by their relays), the other tables keep their dead rows',
  );
});

test('with autovacuum on there is no warning, and without settings no line', () => {
  assert.equal(formatServerSettings({ autovacuum: 'on' }), 'Postgres server: autovacuum on');
  assert.equal(formatServerSettings({}), null);
  assert.equal(formatServerSettings(null), null);
});
