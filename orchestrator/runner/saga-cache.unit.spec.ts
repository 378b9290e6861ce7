import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OrderStatus, SagaStateName } from '../saga/saga-types.ts';
import { SagaCache } from './saga-cache.ts';
import type { LoadedSaga } from './saga-store.ts';

const sagaAt = (
  version: number,
  value: SagaStateName = 'processingPayment',
  status: OrderStatus = 'PENDING',
) =>
  ({
    order: { orderId: 'o' },
    persisted: { value, context: {} },
    version,
    status,
    deadlineAt: null,
  }) as unknown as LoadedSaga;

describe('saga cache (pure)', () => {
  test('keeps the newest version it was given, never an older one', () => {
    const cache = new SagaCache(10);
    cache.remember('a', sagaAt(2));
    cache.remember('a', sagaAt(1));
    assert.equal(cache.get('a')?.version, 2);
    cache.remember('a', sagaAt(3));
    assert.equal(cache.get('a')?.version, 3);
  });

  test('forgets a saga that ended, and on request', () => {
    const cache = new SagaCache(10);
    cache.remember('a', sagaAt(2));
    cache.remember('a', sagaAt(3, 'completed', 'COMPLETED'));
    assert.equal(cache.get('a'), undefined, 'a late reply to an ended saga reads it');
    cache.remember('b', sagaAt(1));
    cache.remember('c', sagaAt(1));
    cache.forget(['b']);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.size, 1);
  });

  test('when full, drops the saga used least recently', () => {
    const cache = new SagaCache(2);
    cache.remember('a', sagaAt(1));
    cache.remember('b', sagaAt(1));
    cache.get('a');
    cache.remember('c', sagaAt(1));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a') && cache.get('c'));
  });

  test('size 0 keeps nothing; a negative or fractional size is refused', () => {
    const cache = new SagaCache(0);
    cache.remember('a', sagaAt(1));
    assert.equal(cache.size, 0);
    assert.throws(() => new SagaCache(-1), /non-negative integer/);
    assert.throws(() => new SagaCache(1.5), /non-negative integer/);
  });
});
