/** `npm run stack -- <args>` from a fault lane (a broker or the registry stopped, killed, started). */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/support/service-processes.ts';

export interface StackResult {
  code: number | null;
  output: string;
}

export function runStack(args: readonly string[]): Promise<StackResult> {
  return new Promise((resolve) => {
    // Own process group: a Ctrl-C in the terminal must not interrupt a broker restart half-way.
    const child = spawn('bash', [join(repoRoot, 'scripts', 'stack.sh'), ...args], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Runs the stack command, appends its output to `<logDir>/stack-restart.log`; throws when it fails. */
export async function stackOrThrow(logDir: string, args: readonly string[]): Promise<void> {
  const { code, output } = await runStack(args);
  appendFileSync(join(logDir, 'stack-restart.log'), `$ npm run stack -- ${args.join(' ')}\n${output}`);
  if (code !== 0)
    throw new Error(
      `npm run stack -- ${args.join(' ')} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}; see ${logDir}/stack-restart.log`,
    );
}
