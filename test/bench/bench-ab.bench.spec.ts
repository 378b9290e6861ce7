/**
 * `npm run bench:ab` works: two pairs of tiny bench runs, A from another checkout (a git worktree
 * of HEAD) and B from this one with a service setting, run interleaved (A B, then B A), each from
 * its checkout with its setting and the stack's pid files found, and are compared point by point;
 * a run that fails stops the comparison with a non-zero exit and names the run. It proves the
 * command, not any difference between the arms.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withDatabaseUrlName } from '../../bench/support/environment.ts';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { dropDatabase } from '../../lib/db/database.ts';
import { repoRoot } from '../../scripts/support/service-processes.ts';
import { runScript } from '../support/run-script.ts';

const benchDatabaseUrl = withDatabaseUrlName(
  process.env.DATABASE_URL ?? defaultDatabaseUrl,
  'order_saga_bench_ab_spec',
);

const runAb = (args: string[]) =>
  runScript('bench/run-ab.ts', args, { ...process.env, BENCH_DATABASE_URL: benchDatabaseUrl });

const tinyBench = ['--duration-s', '2', '--rates', '20', '--concurrency', 'none', '--warmup-s', '0'];
// Ports above the e2e services' and the bench spec's (TEST_PORT_BASE + 60), so parallel checkouts can differ.
const basePort = String(Number(process.env.TEST_PORT_BASE ?? 3100) + 70);
const tinyBenchRest = ['--drain-s', '20', '--ceiling-s', '0', '--partitions', '3', '--base-port', basePort];

test('npm run bench:ab: two interleaved pairs, each arm with its setting, compared', {
  timeout: 240_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-ab-spec-'));
  // Another checkout for A: a worktree of HEAD sharing this one's node_modules.
  const baseParent = mkdtempSync(join(tmpdir(), 'bench-ab-base-'));
  const base = join(baseParent, 'checkout');
  execFileSync('git', ['worktree', 'add', '--detach', base, 'HEAD'], { cwd: repoRoot, stdio: 'ignore' });
  symlinkSync(join(repoRoot, 'node_modules'), join(base, 'node_modules'));
  try {
    const { code, stdout, stderr } = await runAb([
      '--pairs',
      '2',
      '--a-dir',
      base,
      '--b-args',
      '--env DB_POOL_MAX=4',
      '--out',
      out,
      '--',
      ...tinyBench,
      ...tinyBenchRest,
    ]);
    assert.equal(code, 0, `bench:ab exited ${code}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`);

    // Pair 1 runs A first, pair 2 B first.
    const order = [...stderr.matchAll(/^\[bench:ab\] ([AB][12]) open 20\/s: /gm)].map((m) => m[1]);
    assert.deepEqual(order, ['A1', 'B1', 'B2', 'A2']);

    for (const pair of [1, 2]) {
      const a = JSON.parse(readFileSync(join(out, `a-${pair}.json`), 'utf8'));
      const b = JSON.parse(readFileSync(join(out, `b-${pair}.json`), 'utf8'));
      assert.equal(a.system.serviceEnv.DB_POOL_MAX, undefined, `A${pair} runs without the setting`);
      assert.equal(b.system.serviceEnv.DB_POOL_MAX, '4', `B${pair} runs with it`);
      for (const run of [a, b]) assert.equal(run.points[0].errors.total, 0);
      // Each run's services started from its arm's checkout: their logs are there, not in the other.
      assert.ok(existsSync(join(base, '.stack', 'bench-logs', a.runId)), `A${pair} ran in the worktree`);
      assert.ok(!existsSync(join(repoRoot, '.stack', 'bench-logs', a.runId)));
      assert.ok(existsSync(join(repoRoot, '.stack', 'bench-logs', b.runId)), `B${pair} ran here`);
      // The worktree has no stack of its own: A found this one's through ORDER_SAGA_STATE.
      assert.equal(typeof a.system.pids.kafka, 'number', `A${pair} found the broker's pid`);
      assert.equal(a.system.pids.kafka, b.system.pids.kafka);
    }

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.comparison.pairs, 2);
    assert.deepEqual(
      summary.comparison.points.map((p: { label: string }) => p.label),
      ['open 20/s'],
    );
    const [point] = summary.comparison.points;
    assert.deepEqual(
      point.metrics.map((m: { metric: string }) => m.metric),
      ['sagas/s', 'p50 ms', 'p99 ms', 'machine CPU ms/saga', 'context switches/saga', 'transactions/saga'],
    );
    for (const m of point.metrics) {
      assert.equal(m.a.length, 2);
      assert.equal(m.b.length, 2);
      assert.ok(
        [...m.a, ...m.b].every((v: unknown) => typeof v === 'number' && v > 0),
        JSON.stringify(m),
      );
      assert.equal(m.bBetter + m.bWorse + m.ties, 2);
    }
    const a1 = JSON.parse(readFileSync(join(out, 'a-1.json'), 'utf8'));
    assert.equal(point.metrics[0].a[0], a1.points[0].sagasPerS, 'the figures are the runs’ own');

    assert.match(stdout, /^open 20\/s:$/m);
    assert.match(stdout, /p50 ms +A\|B by pair: /);
    assert.match(
      stdout,
      /reproduce: npm run bench:ab -- --pairs 2 --a-dir \S+ --b-args '--env DB_POOL_MAX=4' --out /,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'remove', '--force', base], { cwd: repoRoot, stdio: 'ignore' });
    rmSync(baseParent, { recursive: true, force: true });
    await dropDatabase(benchDatabaseUrl);
  }
});

test('npm run bench:ab: a failing run stops the comparison and names it', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-ab-spec-'));
  try {
    // A's runs get an invalid bench option: the first run (A of pair 1) fails at once.
    const { code, stderr } = await runAb([
      '--a-args',
      '--duration-s 0',
      '--out',
      out,
      '--',
      ...tinyBench,
      ...tinyBenchRest,
    ]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /the bench run of A in pair 1 exited 2; its output: .*a-1\.log/);
    assert.doesNotMatch(stderr, /pair 1: B/, 'nothing runs after a failure');
    assert.match(readFileSync(join(out, 'a-1.log'), 'utf8'), /--duration-s needs a positive number, got 0/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
