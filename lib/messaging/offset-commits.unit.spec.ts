import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { pino } from 'pino';
import { createOffsetCommits } from './offset-commits.ts';

const log = pino({ level: 'silent' });

describe('offset commits', () => {
  test('the timer and stop commit through the flush of the batch seen last; none after a replacement', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const offsets = createOffsetCommits(log, 500);
      const flushed: string[] = [];
      offsets.start();
      mock.timers.tick(500);
      await offsets.stop();
      assert.equal(flushed.length, 0, 'nothing to commit before a batch');

      offsets.track(async () => void flushed.push('first consumer'));
      offsets.track(async () => void flushed.push('second batch'));
      offsets.start();
      mock.timers.tick(500);
      assert.deepEqual(flushed, ['second batch']);
      offsets.forget();
      mock.timers.tick(500);
      await offsets.stop();
      assert.deepEqual(flushed, ['second batch']);
    } finally {
      mock.timers.reset();
    }
  });

  test('stop commits once more and clears the timer; a failed commit is not thrown', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const offsets = createOffsetCommits(log, 500);
      let commits = 0;
      offsets.track(async () => {
        commits++;
        throw new Error('coordinator not available');
      });
      offsets.start();
      await offsets.stop();
      assert.equal(commits, 1);
      mock.timers.tick(5_000);
      assert.equal(commits, 1, 'no timer after stop');
    } finally {
      mock.timers.reset();
    }
  });
});
