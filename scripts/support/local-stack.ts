/**
 * Brings the local stack up (`npm run stack -- up`: Kafka, the schema registry, the SCRAM users,
 * ACLs and Postgres roles) for the launchers that need it: `npm start`, `npm test` (every tier but
 * unit), `npm run chaos`, `npm run bench`. Idempotent and quick when the stack already runs; on a
 * fresh machine it fetches and starts it. SKIP_STACK=1 skips it: the launcher then uses
 * infrastructure you run yourself (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './service-processes.ts';

/** `npm run stack -- up` failed; its own output (on stderr) says why. */
export class StackStartError extends Error {
  constructor(cause: unknown) {
    const status = (cause as { status?: number | null }).status;
    super(
      `the local stack did not start (npm run stack -- up exited with ${status ?? 'an error'}; its output is above). ` +
        'Fix that and try again, or set SKIP_STACK=1 to use Kafka, the registry and PostgreSQL you run yourself',
      { cause },
    );
    this.name = 'StackStartError';
  }
}

/** The stack's state directory (ORDER_SAGA_STATE, default `<repo>/.stack`). */
export const localStackStateDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.ORDER_SAGA_STATE || join(repoRoot, '.stack');

/** Every broker of the running local stack (`up` writes them to `<state>/run/kafka.brokers`), or null. */
export function localStackBrokers(env: NodeJS.ProcessEnv = process.env): string[] | null {
  const file = join(localStackStateDir(env), 'run', 'kafka.brokers');
  if (!existsSync(file)) return null;
  const brokers = readFileSync(file, 'utf8').trim().split(',').filter(Boolean);
  return brokers.length > 0 ? brokers : null;
}

/**
 * Starts the stack unless SKIP_STACK=1 (`args`: more options of `up`, e.g. `--brokers 3`); the
 * stack's output goes to stderr. Throws StackStartError.
 */
export function ensureLocalStack(env: NodeJS.ProcessEnv = process.env, args: readonly string[] = []): void {
  if (env.SKIP_STACK === '1') return;
  process.stderr.write(
    `» stack: npm run stack -- ${['up', ...args].join(' ')} (set SKIP_STACK=1 to use infrastructure you run yourself)\n`,
  );
  try {
    execFileSync('bash', [join(repoRoot, 'scripts', 'stack.sh'), 'up', ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', process.stderr, process.stderr],
    });
  } catch (error) {
    throw new StackStartError(error);
  }
}

/** For command-line tools: ensureLocalStack, or `report` the reason and exit with code 1. */
export function ensureLocalStackOrExit(
  report: (message: string) => void,
  args: readonly string[] = [],
): void {
  try {
    ensureLocalStack(process.env, args);
  } catch (error) {
    if (!(error instanceof StackStartError)) throw error;
    report(error.message);
    process.exit(1);
  }
}
