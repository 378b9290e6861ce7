/**
 * `npm run bench:ab`: compares two builds or settings, A and B, the only way this machine allows —
 * interleaved runs in one sitting. Pair i runs A then B when i is odd, B then A when even, so a
 * machine that drifts during the sitting favours neither. Each run is a whole `npm run bench` (its
 * own services, database and topics) of the arm's checkout; a run that fails stops the comparison.
 * Then, point by point, each metric's figures pair by pair, the medians and a sign test
 * (support/ab-compare.ts). Writes <out>/<arm>-<pair>.json and .log, and <out>/summary.json.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import type { Arm, PairedRun, ResultsForComparison } from './support/ab-compare.ts';
import { compareRuns, formatComparison } from './support/ab-compare.ts';
import { type ArmOptions, abCommand, parseAbOptions } from './support/ab-options.ts';
import { parseOrExit } from './support/options.ts';

const log = (message: string) => process.stderr.write(`[bench:ab] ${message}\n`);
const options = parseOrExit(parseAbOptions, process.argv.slice(2));
// Started once here, for both arms (SKIP_STACK=1 below): no arm's checkout runs its stack.sh on it.
ensureLocalStackOrExit(log);

const arms: Record<Arm, ArmOptions> = { a: options.a, b: options.b };
const dirOf = (arm: Arm): string => resolve(arms[arm].dir ?? repoRoot);
for (const arm of ['a', 'b'] as const)
  for (const needed of ['bench/run-bench.ts', 'node_modules/tsx'])
    if (!existsSync(join(dirOf(arm), needed))) {
      console.error(`${arm.toUpperCase()}'s checkout ${dirOf(arm)} has no ${needed} (npm ci there?)`);
      process.exit(2);
    }
const describe = (arm: Arm): string =>
  [
    arms[arm].dir === null ? 'this checkout' : `checkout ${arms[arm].dir}`,
    ...Object.entries(arms[arm].env).map(([k, v]) => `env ${k}=${v}`),
    ...(arms[arm].args.length > 0 ? [`bench options ${arms[arm].args.join(' ')}`] : []),
  ].join(', ');

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = resolve(repoRoot, options.out ?? join('bench-results', `ab-${stamp}`));
mkdirSync(out, { recursive: true });
const command = abCommand(options, relative(repoRoot, out) || '.');
/** The stack (its pid files) is this checkout's, also for the runs of another checkout. */
const stackEnv = {
  ORDER_SAGA_STATE: process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'),
  SKIP_STACK: '1',
};

/** One bench run of an arm; its results once it exited 0. */
async function runBench(arm: Arm, pair: number): Promise<ResultsForComparison> {
  const json = join(out, `${arm}-${pair}.json`);
  const logPath = join(out, `${arm}-${pair}.log`);
  const logFile = createWriteStream(logPath);
  const bench = ['bench/run-bench.ts', ...options.benchArgs, ...arms[arm].args, '--json', json];
  const args = ['--import', 'tsx', ...bench];
  const child = spawn(process.execPath, args, {
    cwd: dirOf(arm),
    env: { ...process.env, ...stackEnv, ...arms[arm].env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(logFile, { end: false });
  // The bench reports each point on stderr as it ends: show those lines, keep all of it in the log.
  createInterface({ input: child.stderr }).on('line', (line) => {
    logFile.write(`${line}\n`);
    if (/^\[bench\] (open|closed) .*: /.test(line))
      log(`${arm.toUpperCase()}${pair} ${line.slice('[bench] '.length)}`);
  });
  // 'close', not 'exit': the child's output may still be arriving when it exits.
  const code = await new Promise<number | null>((done) => child.once('close', done));
  await new Promise<void>((done) => logFile.end(done));
  const which = `the bench run of ${arm.toUpperCase()} in pair ${pair}`;
  if (code !== 0 || !existsSync(json)) throw new Error(`${which} exited ${code}; its output: ${logPath}`);
  return JSON.parse(readFileSync(json, 'utf8')) as ResultsForComparison;
}

const runs: PairedRun[] = [];
log(`${options.pairs} pair(s); results in ${relative(process.cwd(), out) || '.'}`);
log(`A: ${describe('a')}`);
log(`B: ${describe('b')}`);
try {
  for (let pair = 1; pair <= options.pairs; pair++)
    for (const arm of pair % 2 === 1 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      log(`pair ${pair}: ${arm.toUpperCase()}…`);
      runs.push({ pair, arm, results: await runBench(arm, pair) });
    }
} catch (error) {
  log((error as Error).message);
  log(`stopped; the runs so far are in ${out}`);
  process.exit(1);
}

const comparison = compareRuns(runs);
writeFileSync(join(out, 'summary.json'), `${JSON.stringify({ command, options, comparison }, null, 2)}\n`);
console.log(`\nA: ${describe('a')}\nB: ${describe('b')}`);
console.log(formatComparison(comparison));
console.log(`\nsummary: ${relative(process.cwd(), join(out, 'summary.json'))}`);
console.log(`reproduce: ${command}`);
