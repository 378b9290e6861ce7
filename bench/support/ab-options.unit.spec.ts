import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abCommand, parseAbOptions } from './ab-options.ts';
import { UsageError } from './options.ts';

test('arms from dir, env and args; bench options after --; the command parses back', () => {
  const url = 'postgres://postgres@localhost/x?host=/run';
  const argv = ['--pairs', '6', '--a-dir', '../base', `--b-env=BENCH_DATABASE_URL=${url}`, '--b-args'];
  const options = parseAbOptions([...argv, '--env  DB_POOL_MAX=4', '--', '--rates', '500']);
  assert.deepEqual(options.a, { dir: '../base', env: {}, args: [] });
  const b = { dir: null, env: { BENCH_DATABASE_URL: url }, args: ['--env', 'DB_POOL_MAX=4'] };
  assert.deepEqual(options.b, b);
  assert.deepEqual(options.benchArgs, ['--rates', '500']);
  const command = abCommand(options, 'bench-results/ab-x');
  assert.equal(
    command,
    "npm run bench:ab -- --pairs 6 --a-dir ../base --b-env 'BENCH_DATABASE_URL=postgres://postgres@localhost/x?host=/run' --b-args '--env DB_POOL_MAX=4' --out bench-results/ab-x -- --rates 500",
  );
  const words = (command.match(/'[^']*'|\S+/g) ?? []).slice(4).map((w) => w.replace(/^'(.*)'$/, '$1'));
  assert.deepEqual(parseAbOptions(words), { ...options, out: 'bench-results/ab-x' });
});

test('clear errors: same arms, --json, bad values, unknown options', () => {
  const refuses = (argv: string[], message: RegExp) =>
    assert.throws(
      () => parseAbOptions(argv),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  refuses(['--', '--rates', '500'], /A and B are the same/);
  refuses(['--b-env', 'X=1', '--', '--json=x.json'], /--json cannot be given to bench:ab \(after --\)/);
  refuses(['--b-args', '--json x.json'], /--json cannot be given to bench:ab \(--b-args\)/);
  refuses(['--pairs', '2.5', '--b-env', 'X=1'], /--pairs needs a whole number ≥ 1, got 2.5/);
  refuses(['--b-env', 'not-a-pair'], /--b-env needs KEY=VALUE, got not-a-pair/);
  refuses(['--b-env', 'X=1', '--rates', '500'], /unknown option --rates \(bench options go after --\)/);
  refuses(['--help'], /usage: npm run bench:ab/);
});
