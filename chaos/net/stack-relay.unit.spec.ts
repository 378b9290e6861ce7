import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Prng } from '../../lib/random/prng.ts';
import { DelayLine } from './stack-relay.ts';

describe('relay delay line (pure)', () => {
  test('each chunk leaves delay ± jitter after it came, never before the one ahead of it', () => {
    const line = new DelayLine({ ms: 20, jitterMs: 5, random: new Prng(1) });
    let previous = 0;
    for (let now = 0; now < 1_000; now += 1) {
      const due = line.dueAt(now);
      assert.ok(due >= previous, 'in order');
      assert.ok(due <= now + 25, `at most delay + jitter (${due - now})`);
      assert.ok(
        due >= now + 15 || due === previous,
        `at least delay − jitter unless held by the chunk ahead (${due - now})`,
      );
      previous = due;
    }
  });
});
