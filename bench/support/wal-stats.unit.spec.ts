import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DbCeiling } from './db-ceiling.ts';
import { formatWal, type MeasuredPoint } from './report.ts';
import { readWalCounters, type WalCounters, walPerSaga } from './wal-stats.ts';

const counters = (
  records: number,
  fullPageImages: number,
  bytes: number,
  checkpoints: number,
): WalCounters => ({
  records,
  fullPageImages,
  bytes,
  checkpoints,
});

test('WAL per saga divides each counter’s growth by the sagas completed', () => {
  const perSaga = walPerSaga(counters(1_000, 50, 10_240, 7), counters(61_000, 8_050, 40_970_240, 9), 2_000);
  assert.deepEqual(perSaga, { kbPerSaga: 20, fullPageImagesPerSaga: 4, recordsPerSaga: 30, checkpoints: 2 });
});

test('no counters or no sagas give no figures', () => {
  assert.equal(walPerSaga(null, counters(1, 1, 1, 1), 10), null);
  assert.equal(walPerSaga(counters(1, 1, 1, 1), counters(2, 2, 2, 2), 0), null);
});

test('the checkpoint count falls back to pg_stat_bgwriter when pg_stat_checkpointer is missing', async () => {
  const asked: string[] = [];
  const client = {
    async query<R>(text: string): Promise<{ rows: R[] }> {
      asked.push(text);
      if (text.includes('pg_stat_wal')) return { rows: [{ records: '10', fpi: '2', bytes: '4096' } as R] };
      if (text.includes('pg_stat_checkpointer'))
        throw Object.assign(new Error('relation "pg_stat_checkpointer" does not exist'), { code: '42P01' });
      return { rows: [{ n: '5' } as R] };
    },
  };
  assert.deepEqual(await readWalCounters(client), {
    records: 10,
    fullPageImages: 2,
    bytes: 4096,
    checkpoints: 5,
  });
  assert.equal(asked.length, 3);
});

test('a server without pg_stat_wal gives no counters', async () => {
  const client = {
    async query<R>(): Promise<{ rows: R[] }> {
      throw Object.assign(new Error('relation "pg_stat_wal" does not exist'), { code: '42P01' });
    },
  };
  assert.equal(await readWalCounters(client), null);
});

test('the report gives one WAL row per point that has figures, then the database ceiling’s', () => {
  const wal = { kbPerSaga: 21.4, fullPageImagesPerSaga: 1.75, recordsPerSaga: 48.2, checkpoints: 3 };
  const lines = formatWal(
    [
      { kind: 'open', target: 2000, wal } as unknown as MeasuredPoint,
      { kind: 'open', target: 100, wal: null } as unknown as MeasuredPoint,
    ],
    { wal: { ...wal, checkpoints: 1 } } as unknown as DbCeiling,
  );
  assert.equal(lines.length, 4);
  assert.deepEqual((lines[2] ?? '').trim().split(/ +/), ['open', '2000/s', '21.4', '1.75', '48.2', '3']);
  assert.deepEqual((lines[3] ?? '').trim().split(/ +/), ['ceil', 'db', '21.4', '1.75', '48.2', '1']);
  assert.deepEqual(formatWal([{ kind: 'open', target: 1 } as unknown as MeasuredPoint]), []);
});

test('a failure other than a missing view is thrown, not turned into "no counters"', async () => {
  const client = {
    async query<R>(): Promise<{ rows: R[] }> {
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
    },
  };
  await assert.rejects(readWalCounters(client), /Connection terminated unexpectedly/);
});
