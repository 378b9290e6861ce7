import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvReader } from '../config/env.ts';
import { DEFAULT_INBOX_RETENTION_MINUTES, readRetentionConfig } from './retention.ts';

const read = (env: Record<string, string>) => {
  const reader = new EnvReader(env);
  const config = readRetentionConfig(reader);
  return { config, done: () => reader.done() };
};

describe('retention settings', () => {
  test('defaults: 14 days of inbox, a round a minute in batches of 1000', () => {
    const { config } = read({});
    assert.deepEqual(config, {
      inboxRetentionMinutes: 14 * 24 * 60,
      pruneIntervalMs: 60_000,
      pruneBatchSize: 1_000,
    });
    assert.equal(DEFAULT_INBOX_RETENTION_MINUTES, 20_160);
  });

  test('an inbox retention below the 10-minute floor stops the service, naming the variable', () => {
    assert.equal(read({ INBOX_RETENTION_MINUTES: '10' }).config.inboxRetentionMinutes, 10);
    assert.throws(
      () => read({ INBOX_RETENTION_MINUTES: '9' }).done(),
      /INBOX_RETENTION_MINUTES="9" must be an integer between 10 and/,
    );
  });
});
