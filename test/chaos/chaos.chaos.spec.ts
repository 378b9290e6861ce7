/**
 * The chaos check, small: `npm run chaos` as a child process with a fixed seed — 200 orders on two
 * instances of every service, 3 kill -9s, 1 Kafka broker restart, one silent-participant window,
 * 20 re-published messages per topic —
 * must end with exit code 0 and "0 violations". It starts everything it needs itself (its own
 * database, topics, consumer groups and ports 3350+) on the running stack (`npm run stack -- up`).
 * The large version is run by hand: see chaos/README.md.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const repoRoot = new URL('../../', import.meta.url).pathname;
const seed = 20261122;
const args = [
  '--seed',
  String(seed),
  '--orders',
  '200',
  '--kills',
  '3',
  '--broker-restarts',
  '1',
  '--instances',
  '2',
  '--duration-s',
  '30',
  '--base-port',
  '3350',
  // Shorter forward budget (1+2+4+8+8 = 23 s) keeps the silent window short; timeouts of regular
  // orders during a kill or the broker restart are explained by the checker, not violations.
  '--max-step-timeout-ms',
  '8000',
  '--forward-attempts',
  '5',
  '--timeout-s',
  '75',
  // of the faults of issue 39, the one that costs a short run nothing: re-published messages
  // (4 bursts of 5 per topic) the inboxes must absorb
  '--duplicates',
  '20',
];
const budgetMs = 170_000;

test('chaos (small): 200 orders, 3 kills, 1 broker restart, no violation', {
  timeout: budgetMs + 40_000,
}, async () => {
  // the run record goes to a directory of the spec's own, not into chaos/records/
  const records = mkdtempSync(join(tmpdir(), 'chaos-records-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/run-chaos.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, CHAOS_RECORDS_DIR: records },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const forward = (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Over budget: Ctrl-C (the run stops every process it started and deletes its topics), then kill.
  const overBudget = setTimeout(() => {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
  }, budgetMs);
  const code = await exited;
  clearTimeout(overBudget);

  const verdict = output.match(
    /^chaos: (\d+) orders, (\d+) kills, (\d+) broker restarts, (\d+) violations$/m,
  );
  assert.ok(verdict, `no verdict line (exit code ${code}); reproduce: npm run chaos -- ${args.join(' ')}`);
  assert.equal(verdict[1], '200', 'orders placed');
  assert.equal(verdict[2], '3', 'kills');
  assert.equal(verdict[3], '1', 'broker restarts');
  assert.equal(
    verdict[4],
    '0',
    `violations (see the table above; reproduce: npm run chaos -- ${args.join(' ')})`,
  );
  assert.equal(code, 0, 'exit code');

  // the run record: configuration, seed, every fault with its moment, every invariant with its count
  const [file] = readdirSync(records);
  assert.ok(file, 'a run record was written');
  const record = JSON.parse(readFileSync(join(records, file), 'utf8'));
  rmSync(records, { recursive: true, force: true });
  assert.equal(record.seed, seed);
  assert.equal(record.options.duplicates, 20);
  assert.deepEqual([record.faultCounts.kill, record.faultCounts['broker-restart']], [3, 1]);
  assert.ok(record.faultCounts.duplicates >= 1, 'the duplicate bursts are recorded');
  assert.ok(record.invariants.length >= 15, 'every invariant with its count');
  assert.equal(record.violations, 0);
});
