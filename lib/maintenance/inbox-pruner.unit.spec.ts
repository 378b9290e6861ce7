import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { timeOrderedIds } from '../ids.ts';
import { uuidV7LowerBound } from './inbox-pruner.ts';

describe('uuidV7LowerBound', () => {
  test('ids made before the millisecond sort below it, ids made at or after it do not', () => {
    const at = Date.parse('2026-12-07T10:00:00.000Z');
    const bound = uuidV7LowerBound(at);
    assert.match(bound, /^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    for (const ms of [at - 86_400_000, at - 1]) assert.ok(timeOrderedIds(() => ms)() < bound, `${ms}`);
    for (const ms of [at, at + 1]) assert.ok(timeOrderedIds(() => ms)() > bound, `${ms}`);
  });
});
