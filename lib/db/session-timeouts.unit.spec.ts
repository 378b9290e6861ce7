import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../config/env.ts';
import { sessionOptions, sessionTimeouts, withoutStatementTimeout } from './session-timeouts.ts';

describe('session timeouts', () => {
  test('defaults, values from the environment, and an invalid value named', () => {
    assert.deepEqual(sessionTimeouts({}), { statementTimeoutMs: 30_000, lockTimeoutMs: 10_000 });
    assert.deepEqual(sessionTimeouts({ DB_STATEMENT_TIMEOUT_MS: '0', DB_LOCK_TIMEOUT_MS: '250' }), {
      statementTimeoutMs: 0,
      lockTimeoutMs: 250,
    });
    assert.throws(
      () => sessionTimeouts({ DB_LOCK_TIMEOUT_MS: '2s' }),
      (error: unknown) => error instanceof ConfigError && /DB_LOCK_TIMEOUT_MS="2s"/.test(error.message),
    );
  });

  test('startup options: the timeouts, then PGOPTIONS (which may override them), then the fixed ones', () => {
    const timeouts = { statementTimeoutMs: 1500, lockTimeoutMs: 200 };
    assert.equal(
      sessionOptions(timeouts, '-c enable_seqscan=off', { PGOPTIONS: ' -c statement_timeout=9s ' }),
      '-c statement_timeout=1500 -c lock_timeout=200 -c statement_timeout=9s -c enable_seqscan=off',
    );
    assert.equal(sessionOptions(timeouts, '', {}), '-c statement_timeout=1500 -c lock_timeout=200');
    assert.deepEqual(withoutStatementTimeout(timeouts), { statementTimeoutMs: 0, lockTimeoutMs: 200 });
    assert.throws(() => sessionOptions({ statementTimeoutMs: -1, lockTimeoutMs: 0 }), /-1/);
  });
});
