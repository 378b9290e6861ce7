import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions } from './options.ts';
import { runIdentity, serviceEnvironment } from './run-identity.ts';

const options = parseOptions(['--seed', '42', '--partitions', '3', '--step-timeout-ms', '500'], () => 0);
const kafka = { brokers: ['127.0.0.1:9092'], security: { sasl: null, tls: null } };

describe('chaos run identity (pure)', () => {
  test('names everything after the seed and the start time; the database on CHAOS_DATABASE_URL’s server first', () => {
    const identity = runIdentity({
      options,
      startedAt: 36 ** 3,
      repoRoot: '/repo',
      processEnv: {
        CHAOS_DATABASE_URL: 'postgres://chaos@db:5433/any?sslmode=disable',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/order_saga',
      },
      kafka,
    });
    assert.equal(identity.runId, '42-1000');
    assert.equal(identity.logDir, '/repo/.stack/chaos-logs/42-1000');
    assert.equal(identity.checkGroupId, 'chaos-check-42-1000');
    assert.deepEqual(identity.env, {
      runId: '42-1000',
      databaseName: 'order_saga_chaos_42',
      databaseUrl: 'postgres://chaos@db:5433/order_saga_chaos_42?sslmode=disable',
      topicPrefix: 'chaos-42-1000.',
      groupIdSuffix: '-chaos-42-1000',
      brokers: ['127.0.0.1:9092'],
      kafkaSecurity: kafka.security,
      partitions: 3,
      replicationFactor: 1,
    });
    const fallback = (processEnv: NodeJS.ProcessEnv) =>
      runIdentity({ options, startedAt: 0, repoRoot: '/repo', processEnv, kafka }).env.databaseUrl;
    assert.equal(fallback({ DATABASE_URL: 'postgres://u@h:1/x' }), 'postgres://u@h:1/order_saga_chaos_42');
    assert.equal(fallback({}), 'postgres://postgres@127.0.0.1:5432/order_saga_chaos_42');
  });

  test('the services run isolated, with the run’s deadlines and faults enabled', () => {
    const { env } = runIdentity({ options, startedAt: 0, repoRoot: '/repo', processEnv: {}, kafka });
    const serviceEnv = serviceEnvironment(options, env, { PATH: '/bin', TOPIC_PREFIX: 'mine.' });
    assert.equal(serviceEnv.PATH, '/bin');
    assert.equal(serviceEnv.TOPIC_PREFIX, 'chaos-42-0.');
    assert.equal(serviceEnv.KAFKA_GROUP_ID_SUFFIX, '-chaos-42-0');
    assert.equal(serviceEnv.DATABASE_URL, env.databaseUrl);
    assert.equal(serviceEnv.SAGA_STEP_TIMEOUT_MS, '500');
    assert.equal(serviceEnv.SAGA_FORWARD_ATTEMPTS, '6');
    assert.equal(serviceEnv.FAULTS_ENABLED, 'true');
    assert.equal(serviceEnv.KAFKA_BROKERS, '127.0.0.1:9092', 'every broker of the run');
  });

  test('three brokers: topics replicated 3 times, every broker given to the services', () => {
    const three = { ...kafka, brokers: ['127.0.0.1:9160', '127.0.0.1:9162', '127.0.0.1:9164'] };
    const { env } = runIdentity({
      options: { ...options, brokers: 3 },
      startedAt: 0,
      repoRoot: '/repo',
      processEnv: {},
      kafka: three,
    });
    assert.equal(env.replicationFactor, 3);
    assert.equal(
      serviceEnvironment(options, env, {}).KAFKA_BROKERS,
      '127.0.0.1:9160,127.0.0.1:9162,127.0.0.1:9164',
    );
  });
});
