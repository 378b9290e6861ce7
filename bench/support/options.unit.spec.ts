import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions, reproduceCommand, UsageError } from './options.ts';

const commandArgs = (command: string): string[] =>
  (command.split(' -- ')[1] ?? '').split(' ').map((part) => part.replace(/^'(.*)'$/s, '$1'));

test('--node-flag is repeatable, inline or separate, and kept in order', () => {
  const options = parseOptions([
    '--rates',
    '500',
    '--node-flag=--max-semi-space-size=32',
    '--node-flag',
    '--single-threaded-gc',
  ]);
  assert.deepEqual(options.nodeFlags, ['--max-semi-space-size=32', '--single-threaded-gc']);
});

test('the reproduce command carries the node flags and parses back to them', () => {
  const options = parseOptions(['--rates', '1500', '--node-flag=--max-semi-space-size=32']);
  const command = reproduceCommand(options, 'bench-results/x.json');
  assert.match(command, / --node-flag=--max-semi-space-size=32 /);
  assert.deepEqual(parseOptions(commandArgs(command)).nodeFlags, ['--max-semi-space-size=32']);
});

test('--node-flag refuses a value that is not a flag, and --reuse', () => {
  const usageError = (message: string) => (error: unknown) =>
    error instanceof UsageError && error.message === message;
  assert.throws(
    () => parseOptions(['--rates', '500', '--node-flag=single-threaded-gc']),
    usageError('--node-flag needs a flag starting with --, got single-threaded-gc'),
  );
  assert.throws(
    () => parseOptions(['--rates', '500', '--reuse', '--node-flag=--single-threaded-gc']),
    usageError('--node-flag applies to the services the bench starts; with --reuse start them with it'),
  );
});

test('--orchestrator-node-flag is kept apart from --node-flag, reproduced, and refuses a non-flag and --reuse', () => {
  const options = parseOptions([
    '--rates',
    '2000',
    '--node-flag=--single-threaded-gc',
    '--orchestrator-node-flag=--max-semi-space-size=64',
  ]);
  assert.deepEqual(options.nodeFlags, ['--single-threaded-gc']);
  assert.deepEqual(options.orchestratorNodeFlags, ['--max-semi-space-size=64']);
  const command = reproduceCommand(options, 'bench-results/x.json');
  assert.match(command, / --orchestrator-node-flag=--max-semi-space-size=64 /);
  const parsedBack = parseOptions(commandArgs(command));
  assert.deepEqual(parsedBack.orchestratorNodeFlags, ['--max-semi-space-size=64']);
  assert.deepEqual(parsedBack.nodeFlags, ['--single-threaded-gc']);
  const usageError = (message: string) => (error: unknown) =>
    error instanceof UsageError && error.message === message;
  assert.throws(
    () => parseOptions(['--rates', '500', '--orchestrator-node-flag', 'max-semi-space-size=64']),
    usageError('--orchestrator-node-flag needs a flag starting with --, got max-semi-space-size=64'),
  );
  assert.throws(
    () => parseOptions(['--rates', '500', '--reuse', '--orchestrator-node-flag=--max-semi-space-size=64']),
    usageError(
      '--orchestrator-node-flag applies to the services the bench starts; with --reuse start them with it',
    ),
  );
});

test('--orchestrator-nice takes an integer from -20 to 19, refuses --reuse, and is reproduced', () => {
  const options = parseOptions(['--rates', '2500', '--orchestrator-nice=-10']);
  assert.equal(options.orchestratorNice, -10);
  const command = reproduceCommand(options, 'bench-results/x.json');
  assert.match(command, / --orchestrator-nice=-10 /);
  assert.equal(parseOptions(commandArgs(command)).orchestratorNice, -10);
  assert.equal(parseOptions(['--rates', '500']).orchestratorNice, 0);
  assert.doesNotMatch(reproduceCommand(parseOptions(['--rates', '500']), 'x.json'), /nice/);
  for (const bad of ['-21', '20', '1.5', 'x'])
    assert.throws(
      () => parseOptions(['--rates', '500', `--orchestrator-nice=${bad}`]),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message === `--orchestrator-nice needs an integer from -20 to 19, got ${bad}`,
    );
  assert.throws(
    () => parseOptions(['--rates', '500', '--reuse', '--orchestrator-nice=5']),
    (error: unknown) => error instanceof UsageError && /with --reuse start them with it/.test(error.message),
  );
});

test('--refine takes an integer from 0 to 10, needs --rates, and is reproduced', () => {
  const options = parseOptions(['--rates', '2500,2750', '--refine', '4']);
  assert.equal(options.refine, 4);
  const command = reproduceCommand(options, 'bench-results/x.json');
  assert.match(command, / --refine 4 /);
  assert.equal(parseOptions(commandArgs(command)).refine, 4);
  assert.equal(parseOptions(['--rates', '500']).refine, 0);
  assert.doesNotMatch(reproduceCommand(parseOptions(['--rates', '500']), 'x.json'), /refine/);
  for (const bad of ['-1', '11', '2.5', 'x'])
    assert.throws(
      () => parseOptions(['--rates', '500', `--refine=${bad}`]),
      (error: unknown) =>
        error instanceof UsageError && error.message === `--refine needs an integer from 0 to 10, got ${bad}`,
    );
  assert.throws(
    () => parseOptions(['--rates', 'none', '--concurrency', '8', '--refine', '2']),
    (error: unknown) =>
      error instanceof UsageError &&
      error.message === '--refine narrows down the open-loop rates: give --rates too',
  );
});
