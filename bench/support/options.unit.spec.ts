import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultOptions, parseOptions, reproduceCommand, UsageError } from './options.ts';

/** The words of a reproduce command after `--`, unquoted as a shell would. */
const wordsOf = (command: string): string[] =>
  (command.split(' -- ')[1] ?? '').split(' ').map((part) => part.replace(/^'(.*)'$/s, '$1'));

const refuses = (argv: string[], message: string) =>
  assert.throws(
    () => parseOptions(argv),
    (error: unknown) => error instanceof UsageError && error.message === message,
  );

test('the reproduce command parses back to the same options', () => {
  const argv =
    '--rates=2500,2750 --concurrency none --refine 4 --keep-going --env DB_POOL_MAX=20 --warmup-s 0';
  const flags = [
    '--node-flag=--max-semi-space-size=32',
    '--node-flag',
    '--single-threaded-gc',
    '--orchestrator-nice=-10',
  ];
  const options = parseOptions([...argv.split(' '), ...flags]);
  assert.deepEqual(options.nodeFlags, ['--max-semi-space-size=32', '--single-threaded-gc']);
  const command = reproduceCommand(options, 'bench-results/x.json');
  assert.deepEqual(parseOptions(wordsOf(command)), { ...options, json: 'bench-results/x.json' });
  assert.doesNotMatch(reproduceCommand(defaultOptions, 'x.json'), /refine|nice|node-flag|--env/);
});

test('clear errors for values out of range, node flags that are not flags, and nothing to do', () => {
  refuses(['--duration-s', '0'], '--duration-s needs a positive number, got 0');
  refuses(['--orchestrator-nice=-21'], '--orchestrator-nice needs an integer from -20 to 19, got -21');
  refuses(['--refine=2.5'], '--refine needs an integer from 0 to 10, got 2.5');
  refuses(
    ['--node-flag=single-threaded-gc'],
    '--node-flag needs a flag starting with --, got single-threaded-gc',
  );
  refuses(
    ['--rates', 'none', '--refine', '2'],
    '--refine narrows down the open-loop rates: give --rates too',
  );
  refuses(
    ['--rates', 'none', '--concurrency', 'none', '--ceiling-s', '0'],
    'nothing to measure: give --rates, --concurrency or --ceiling-s',
  );
  assert.throws(() => parseOptions(['--reuse']), /unknown option --reuse/);
});
