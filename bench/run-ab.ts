/**
 * `npm run bench:ab`: compares two builds or settings, A and B, the only way this machine allows —
 * interleaved runs in one sitting. Pair i runs A then B when i is odd, B then A when even, so a
 * machine that drifts during the sitting does not favour one arm. Each run is a whole
 * `npm run bench` (its own services, database and topics) of the arm's checkout; a run that fails
 * stops the comparison. Then, point by point, each metric's figures pair by pair, the medians, and
 * a sign test (bench/support/ab-compare.ts). Writes <out>/<arm>-<pair>.json and .log, and
 * <out>/summary.json; prints the command that reproduces it. See `npm run bench:ab -- --help`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import {
  type Arm,
  compareRuns,
  formatComparison,
  type PairedRun,
  type ResultsForComparison,
} from './support/ab-compare.ts';
import { type ArmOptions, abCommand, parseAbOptions } from './support/ab-options.ts';
import { parseOrExit } from './support/options.ts';

const log = (message: string) => process.stderr.write(`[bench:ab] ${message}\n`);

const options = parseOrExit(parseAbOptions, process.argv.slice(2));
// Started once here, for both arms (SKIP_STACK=1 below): no arm's checkout runs its stack.sh on it.
ensureLocalStackOrExit(log);

const armDir = (arm: ArmOptions): string => (arm.dir === null ? repoRoot : resolve(arm.dir));
const settingsOf = (arm: Arm): ArmOptions => (arm === 'a' ? options.a : options.b);
for (const [letter, arm] of [
  ['A', options.a],
  ['B', options.b],
] as const) {
  const dir = armDir(arm);
  for (const needed of ['bench/run-bench.ts', 'node_modules/tsx'])
    if (!existsSync(join(dir, needed))) {
      console.error(
        `${letter}'s checkout ${dir} has no ${needed}${needed.startsWith('node_modules') ? ' (run npm ci there)' : ''}`,
      );
      process.exit(2);
    }
}

const out = resolve(
  repoRoot,
  options.out ?? join('bench-results', `ab-${new Date().toISOString().replace(/[:.]/g, '-')}`),
);
mkdirSync(out, { recursive: true });
const command = abCommand(options, relative(repoRoot, out) || '.');
/** The stack (its pid files) is this checkout's, also for runs of another checkout; it is up already. */
const stackState = {
  ORDER_SAGA_STATE: process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'),
  SKIP_STACK: '1',
};

/** One bench run of an arm; resolves with its results file once it exited 0. */
async function runBench(arm: Arm, pair: number): Promise<string> {
  const settings = settingsOf(arm);
  const json = join(out, `${arm}-${pair}.json`);
  const logPath = join(out, `${arm}-${pair}.log`);
  const logFile = createWriteStream(logPath);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/run-bench.ts', ...options.benchArgs, ...settings.args, '--json', json],
    {
      cwd: armDir(settings),
      env: { ...process.env, ...stackState, ...settings.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(logFile, { end: false });
  // The bench reports each point on stderr as it ends: show those lines, keep all of it in the log.
  const lines = createInterface({ input: child.stderr });
  lines.on('line', (line) => {
    logFile.write(`${line}\n`);
    if (/^\[bench\] (open|closed) .*: /.test(line))
      log(`${arm.toUpperCase()}${pair} ${line.slice('[bench] '.length)}`);
  });
  // 'close', not 'exit': the child's output may still be arriving when it exits.
  const code = await new Promise<number | null>((done) => child.once('close', done));
  await new Promise<void>((done) => logFile.end(done));
  if (code !== 0 || !existsSync(json))
    throw new Error(
      `the bench run of ${arm.toUpperCase()} in pair ${pair} exited ${code}; its output: ${logPath}`,
    );
  return json;
}

const runs: PairedRun[] = [];
log(`${options.pairs} pair(s); results in ${relative(process.cwd(), out) || '.'}`);
log(`A: ${describeArm(options.a)}`);
log(`B: ${describeArm(options.b)}`);
try {
  for (let pair = 1; pair <= options.pairs; pair++) {
    const order: Arm[] = pair % 2 === 1 ? ['a', 'b'] : ['b', 'a'];
    for (const arm of order) {
      log(`pair ${pair}: ${arm.toUpperCase()}…`);
      const json = await runBench(arm, pair);
      const results = JSON.parse(readFileSync(json, 'utf8')) as ResultsForComparison & {
        system: { pids: { kafka?: number | null } };
      };
      if (results.system.pids.kafka == null)
        log(
          `${arm.toUpperCase()}${pair} found no Kafka process, so Kafka's and the registry's CPU are not attributed ` +
            `(the machine's total is); a checkout older than bench:ab looks in its own .stack: ` +
            `ln -s ${stackState.ORDER_SAGA_STATE} ${join(armDir(settingsOf(arm)), '.stack')}`,
        );
      runs.push({ pair, arm, results });
    }
  }
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  log(`stopped; the runs so far are in ${out}`);
  process.exit(1);
}

const comparison = compareRuns(runs);
writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ command, options, comparison }, null, 2)}\n`);
console.log(`\nA: ${describeArm(options.a)}\nB: ${describeArm(options.b)}`);
console.log(formatComparison(comparison));
console.log(`\nsummary: ${relative(process.cwd(), join(out, 'summary.json'))}`);
console.log(`reproduce: ${command}`);

function describeArm(arm: ArmOptions): string {
  const parts = [arm.dir === null ? 'this checkout' : `checkout ${arm.dir}`];
  const env = Object.entries(arm.env).map(([k, v]) => `${k}=${v}`);
  if (env.length > 0) parts.push(`env ${env.join(' ')}`);
  if (arm.args.length > 0) parts.push(`bench options ${arm.args.join(' ')}`);
  return parts.join(', ');
}
