/**
 * The benchmark command works: a tiny run (one low open-loop rate for a few seconds, short
 * ceilings, allocation sampling) starts its own isolated services, exits 0 and writes a results
 * file with every figure the full benchmark reports. It proves the command, not the system's speed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withDatabaseUrlName } from '../../bench/support/environment.ts';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import { dropDatabase } from '../../lib/db/database.ts';
import {
  type ServiceName,
  serviceEntryPoints,
  serviceNodeFlags,
} from '../../scripts/support/service-processes.ts';
import { runScript } from '../support/run-script.ts';

const benchDatabaseUrl = withDatabaseUrlName(
  process.env.DATABASE_URL ?? defaultDatabaseUrl,
  'order_saga_bench_spec',
);
// Ports above the e2e services' (TEST_PORT_BASE and the next three), so parallel checkouts can differ.
const basePort = String(Number(process.env.TEST_PORT_BASE ?? 3100) + 60);
const services = Object.keys(serviceEntryPoints) as ServiceName[];

test('npm run bench: a tiny run exits 0 and writes the expected figures', { timeout: 150_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-spec-'));
  const jsonPath = join(dir, 'tiny.json');
  try {
    const args = [
      '--duration-s',
      '3',
      '--rates',
      '20',
      '--concurrency',
      'none',
      '--warmup-s',
      '1',
      '--drain-s',
      '20',
    ];
    const more = [
      '--ceiling-s',
      '1',
      '--echo-windows',
      '32',
      '--base-port',
      basePort,
      '--heap-profile',
      '--refine',
      '1',
    ];
    const { code, stdout, stderr } = await runScript(
      'bench/run-bench.ts',
      [...args, ...more, '--json', jsonPath],
      {
        ...process.env,
        BENCH_DATABASE_URL: benchDatabaseUrl,
      },
    );
    assert.equal(code, 0, `bench exited ${code}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`);

    const results = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(results.version, 2);
    assert.match(results.command, /^npm run bench -- --rates 20 .* --refine 1 /);
    assert.match(stdout, /reproduce: npm run bench -- /);
    assert.match(stdout, /machine speed: \d+ \(\d+–\d+\) kops\/s before the load, \d+ \(\d+–\d+\) after/);
    // --refine had nothing to narrow down: the one rate was sustained and nothing above it was run.
    assert.deepEqual(results.refinedRates, []);
    assert.match(
      stderr,
      /nothing to refine: no rate was sustained, or none above the highest sustained one failed/,
    );

    const [point, ...others] = results.points;
    assert.equal(others.length, 0);
    assert.equal(point.kind, 'open');
    assert.ok(point.completed > 0 && point.completed === point.sent, 'every saga sent completed');
    assert.equal(point.errors.total, 0, `no errors: ${JSON.stringify(point.errors)}`);
    assert.equal(point.outcomes.OrderCompleted, point.completed);
    assert.ok(point.latencyMs.p50 <= point.latencyMs.p99 && point.latencyMs.p99 <= point.latencyMs.max);
    // Every saga completed on the happy path, so each has its stages, read from its lifecycle events.
    for (const stage of ['accept', 'inventory', 'payment', 'shipping', 'observe'])
      assert.equal(point.stageLatencyMs[stage]?.count, point.completed, `stage ${stage} of every saga`);
    assert.match(stdout, /where a completed saga's time goes, p50 \/ p99 ms/);
    // Every service, the broker and the driver did work for the sagas: CPU, wake-ups and socket writes.
    for (const name of [...services, 'kafka', 'bench driver']) {
      const work = point.perSaga.byProcess[name];
      assert.ok(
        work.cpuMs > 0 && work.contextSwitches > 0 && work.ioSyscalls > 0,
        `${name}: ${JSON.stringify(work)}`,
      );
    }
    assert.ok(point.perSaga.machineContextSwitches >= point.perSaga.byProcess.kafka.contextSwitches);
    assert.ok(point.db.xactPerSaga > 0 && point.wal.kbPerSaga > 0, 'commits and WAL per saga');
    assert.ok(point.rssKb.orchestrator.startKb > 0);
    // Each service ran with its node flags (scripts/support/service-processes.ts), read back from /proc.
    for (const name of services) {
      const commandLine: string[] = results.system.commandLines[name];
      assert.equal(commandLine.at(-1), serviceEntryPoints[name]);
      for (const flag of serviceNodeFlags[name])
        assert.ok(commandLine.includes(flag), `${name} runs with ${flag}`);
    }

    const { echo, db, sagasPerS } = results.ceilings;
    assert.equal(echo.sagasPerS, Math.round(echo.roundTripsPerS / 3));
    assert.ok(
      echo.windows[0].perSaga.byProcess['echo responder'].contextSwitches > 0,
      'the echo responder is measured',
    );
    // The database ceiling ran the services' own transactions: commits, WAL and the database's backends.
    assert.ok(db.sagasPerS > 0 && db.transactionsPerS > 0 && db.meanBatch > 0, JSON.stringify(db));
    assert.ok(db.perSaga.byProcess['postgres: bench db'].cpuMs > 0 && db.wal.kbPerSaga > 0);
    assert.equal(sagasPerS, Math.min(echo.sagasPerS, db.sagasPerS));
    assert.match(stdout, /^ *ceil db +\d/m);
    const budget = results.summary.cpuBudget;
    assert.equal(budget.targetSagasPerS, Math.round(sagasPerS / 2));
    assert.match(stdout, /CPU budget: half the ceiling \(\d+ sagas\/s\) allows [\d.]+ ms/);
    assert.equal(results.summary.errors, 0);
    assert.equal(results.summary.deadLetters, 0);
    assert.ok(results.rowsPerSaga['orders.saga_history'].inserted > 0, 'rows written per saga');

    const byTenth: number[] = results.memory.orchestrator.byTenthKb;
    assert.ok(
      byTenth.length > 1 && byTenth.every((kb) => kb > 0 && kb <= results.memory.orchestrator.peakKb),
    );
    // --heap-profile: every service wrote its allocation profile when it was stopped.
    const heap = results.profiles.filter((p: { kind: string }) => p.kind === 'heap');
    assert.deepEqual(heap.map((p: { service: string }) => p.service).sort(), [...services].sort());
    for (const summary of heap) assert.ok(summary.total > 0 && summary.topFunctions.length > 0);
    assert.match(stdout, /orchestrator: \d+ MB allocated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(benchDatabaseUrl);
  }
});
