import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VerifiedTokens } from './verified-tokens.ts';

const alice = { sub: 'alice', roles: ['customer'] as const };
const ops = { sub: 'ops', roles: ['operator'] as const };

describe('verified tokens', () => {
  test('a remembered header gives its principal until the token expires, then is forgotten', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('Bearer a', alice, { sub: 'alice', exp: 100 });
    assert.deepEqual(tokens.principalOf('Bearer a', 99_999), alice);
    assert.equal(tokens.principalOf('Bearer a', 100_000), undefined, 'expired at exp');
    assert.equal(tokens.size, 0);
    assert.equal(tokens.principalOf('Bearer b', 0), undefined, 'never verified');
  });

  test('a token without a numeric exp is not kept: it is verified on every request', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('Bearer a', alice, { sub: 'alice' });
    tokens.remember('Bearer b', alice, { sub: 'alice', exp: '100' });
    assert.equal(tokens.size, 0);
  });

  test('bounded: past max entries the oldest header is dropped, others stay', () => {
    const tokens = new VerifiedTokens(2);
    tokens.remember('Bearer a', alice, { exp: 100 });
    tokens.remember('Bearer b', ops, { exp: 100 });
    tokens.remember('Bearer c', ops, { exp: 100 });
    assert.equal(tokens.size, 2);
    assert.equal(tokens.principalOf('Bearer a', 0), undefined);
    assert.deepEqual(tokens.principalOf('Bearer b', 0), ops);
    assert.deepEqual(tokens.principalOf('Bearer c', 0), ops);
  });
});
