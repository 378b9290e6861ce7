import { ConfigError, type EnvReader } from '../config/env.ts';
import { DatabaseAccessError } from '../db/database-access.ts';

/**
 * Ends config parsing: one ConfigError naming every problem, the reader's and `extraProblems`
 * (checks EnvReader has no helper for, e.g. a list whose items must match a pattern).
 */
export function finishConfig(reader: EnvReader, extraProblems: readonly string[] = []): void {
  let problems: string[] = [];
  try {
    reader.done();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  if (problems.length + extraProblems.length > 0) throw new ConfigError([...problems, ...extraProblems]);
}

/** A service that cannot start says why in one line (a config error lists every bad variable) and exits 1. */
export function exitOnStartupFailure(service: string, error: unknown): never {
  const detail =
    error instanceof ConfigError || error instanceof DatabaseAccessError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${service} could not start: ${detail}\n`);
  process.exit(1);
}
