/**
 * The benchmark command works: a tiny run (one low open-loop rate for a few seconds, short
 * ceilings, two orchestrator instances, allocation sampling) starts its own isolated services, exits 0 and writes a
 * results file with every figure the full benchmark reports. It proves the command, not the
 * system's speed.
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

test('npm run bench: a tiny run exits 0 and writes the expected figures', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-spec-'));
  const jsonPath = join(dir, 'tiny.json');
  try {
    const started = Date.now();
    const { code, stdout, stderr } = await runScript(
      'bench/run-bench.ts',
      [
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
        '--ceiling-s',
        '1',
        '--echo-windows',
        '32',
        '--partitions',
        '3',
        '--base-port',
        '3460',
        '--orchestrators',
        '2',
        '--heap-profile',
        '--refine',
        '1',
        '--json',
        jsonPath,
      ],
      { ...process.env, BENCH_DATABASE_URL: benchDatabaseUrl },
    );
    assert.equal(code, 0, `bench exited ${code}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`);
    assert.ok(Date.now() - started < 90_000, 'the tiny run should take well under 90 s');

    const results = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.equal(results.version, 1);
    assert.match(results.command, /^npm run bench -- .*--rates 20 /);
    assert.match(stdout, /reproduce: npm run bench -- /);
    assert.match(stdout, /sagas\/s/);
    for (const when of ['atStart', 'atEnd'])
      assert.ok(results.host.cpuSpeed[when].kops > 0, `machine speed ${when}`);
    assert.match(stdout, /machine speed: \d+ \(\d+–\d+\) kops\/s before the load, \d+ \(\d+–\d+\) after/);

    // --refine had nothing to narrow down: the one rate was sustained and nothing above it was run.
    assert.match(results.command, / --refine 1 /);
    assert.deepEqual(results.refinedRates, []);
    assert.match(
      stderr,
      /nothing to refine: no open-loop rate was sustained, or none above the highest sustained one failed/,
    );
    assert.equal(results.points.length, 1);
    const [point] = results.points;
    assert.equal(point.kind, 'open');
    assert.equal(point.target, 20);
    assert.ok(point.completed > 0, 'some sagas completed');
    assert.equal(point.completed, point.sent, 'every saga sent completed');
    assert.equal(point.errors.total, 0, `no errors: ${JSON.stringify(point.errors)}`);
    assert.equal(point.outcomes.OrderCompleted, point.completed);
    assert.ok(point.sagasPerS > 0);
    for (const key of ['p50', 'p90', 'p99', 'max'])
      assert.equal(typeof point.latencyMs[key], 'number', `latency ${key}`);
    assert.ok(point.latencyMs.p50 <= point.latencyMs.p99 && point.latencyMs.p99 <= point.latencyMs.max);
    // Every saga completed on the happy path, so each has its stages, read from its lifecycle events.
    for (const stage of ['accept', 'inventory', 'payment', 'shipping', 'observe']) {
      assert.equal(point.stageLatencyMs[stage]?.count, point.completed, `stage ${stage} of every saga`);
      if (stage !== 'observe') assert.ok(point.stageLatencyMs[stage].p50 > 0, `stage ${stage} takes time`);
    }
    assert.match(stdout, /where a completed saga's time goes, p50 \/ p99 ms/);
    for (const name of ['orchestrator', 'inventory', 'payment', 'shipping', 'bench driver'])
      assert.ok(point.cpu.byProcess[name].seconds > 0, `CPU of ${name} measured`);
    assert.equal(typeof point.cpu.byProcess.kafka?.seconds, 'number', 'CPU of the broker measured');
    assert.ok(point.rssKb.orchestrator.startKb > 0);
    // Every service and the broker woke up and wrote to their sockets for the sagas.
    for (const name of ['orchestrator', 'inventory', 'payment', 'shipping', 'kafka', 'bench driver']) {
      const work = point.kernelPerSaga.byProcess[name];
      assert.ok(work.contextSwitches > 0, `context switches of ${name}: ${JSON.stringify(work)}`);
      assert.ok(work.ioSyscalls > 0, `read/write system calls of ${name}: ${JSON.stringify(work)}`);
    }
    assert.ok(
      point.kernelPerSaga.machineContextSwitches >= point.kernelPerSaga.byProcess.kafka.contextSwitches,
    );
    assert.match(stdout, /kernel work per saga \(counts/);
    // Two orchestrator instances, POSTs in turn: a second instance that failed would show as errors.
    assert.equal(results.system.orchestratorUrl.split(',').length, 2);
    assert.equal(results.system.pids.moreOrchestrators.length, 1);
    // Each service ran with its node flags (scripts/support/service-processes.ts), read back from /proc.
    for (const name of Object.keys(serviceEntryPoints) as ServiceName[]) {
      const commandLine: string[] = results.system.commandLines[name];
      assert.ok(commandLine, `command line of ${name}`);
      assert.equal(commandLine.at(-1), serviceEntryPoints[name]);
      for (const flag of serviceNodeFlags[name])
        assert.ok(commandLine.includes(flag), `${name} runs with ${flag}: ${commandLine.join(' ')}`);
    }
    assert.ok(results.system.commandLines.orchestrator.includes('--max-semi-space-size=64'));

    assert.ok(results.ceilings.echo.roundTripsPerS > 0, 'echo ceiling measured');
    assert.equal(results.ceilings.echo.sagasPerS, Math.round(results.ceilings.echo.roundTripsPerS / 3));
    assert.ok(results.ceilings.db.sagasPerS > 0, 'database ceiling measured');
    assert.ok(results.ceilings.db.transactionsPerS > 0);
    // The ceilings count their kernel work too: the echo's broker and responder, the database's backends.
    for (const window of results.ceilings.echo.windows)
      for (const name of ['kafka', 'echo responder'])
        assert.ok(window.kernelPerSaga.byProcess[name].contextSwitches > 0, `echo ${window.window}: ${name}`);
    assert.ok(results.ceilings.db.kernelPerSaga.byProcess['postgres: bench db'].contextSwitches > 0);
    // its row in the kernel-work block (the CPU table's row ends in blank columns)
    assert.match(stdout, /^ +ceil db .* \d+\.\d$/m);
    assert.ok(
      (results.ceilings.db.transactions.relay ?? 0) > 0,
      "the ceiling's relays deleted what was published",
    );
    assert.equal(
      results.ceilings.sagasPerS,
      Math.min(results.ceilings.echo.sagasPerS, results.ceilings.db.sagasPerS),
    );
    assert.equal(typeof results.summary.ratio, 'number');
    const budget = results.summary.cpuBudget;
    assert.equal(budget.targetSagasPerS, Math.round(results.ceilings.sagasPerS / 2));
    assert.ok(budget.spentMsPerSaga > 0 && budget.allowedMsPerSaga > 0, JSON.stringify(budget));
    assert.match(stdout, /CPU budget: half the ceiling \(\d+ sagas\/s\) allows [\d.]+ ms/);
    assert.equal(results.summary.errors, 0);
    assert.equal(results.summary.deadLetters, 0);
    assert.ok(results.memory.whole.orchestrator.endKb > 0, 'orchestrator RSS sampled');
    const byTenth: number[] = results.memory.whole.orchestrator.byTenthKb;
    assert.ok(byTenth.length > 1, `orchestrator RSS over time: ${byTenth.join(' ')}`);
    assert.ok(byTenth.every((kb) => kb > 0 && kb <= results.memory.whole.orchestrator.peakKb));
    // --heap-profile: every service wrote its allocation profile when it was stopped.
    assert.deepEqual(results.heapProfiles.map((p: { service: string }) => p.service).sort(), [
      'inventory',
      'orchestrator',
      'orchestrator-2',
      'payment',
      'shipping',
    ]);
    for (const { service, summary } of results.heapProfiles) {
      assert.ok(summary.sampledMb > 0 && summary.topFunctions.length > 0, `heap profile of ${service}`);
    }
    assert.match(stdout, /orchestrator: \d+ MB allocated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(benchDatabaseUrl);
  }
});
