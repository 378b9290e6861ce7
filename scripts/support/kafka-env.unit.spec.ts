import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  kafkaEnvFor,
  localKafkaAdminConnection,
  localKafkaAdminEnv,
  localKafkaOperatorConnection,
  localKafkaOperatorEnv,
} from './kafka-env.ts';
import { perServiceEnv } from './service-env.ts';

const state = mkdtempSync(join(tmpdir(), 'kafka-env-'));
process.env.ORDER_SAGA_STATE = state;
const secret = (name: string) => readFileSync(join(state, 'secrets', name), 'utf8').trim();

test("each service gets its own principal and the local stack's password for it", () => {
  const env = perServiceEnv('payment', { TOPIC_PREFIX: 'x.' });
  assert.equal(env.KAFKA_USERNAME, 'payment');
  assert.equal(env.KAFKA_PASSWORD, secret('kafka-payment'));
  assert.notEqual(perServiceEnv('inventory', {}).KAFKA_PASSWORD, env.KAFKA_PASSWORD);
});

test('an environment that brings its own Kafka security keeps it', () => {
  assert.deepEqual(kafkaEnvFor('payment', { KAFKA_USERNAME: 'deployed-payment' }), {});
  assert.deepEqual(kafkaEnvFor('payment', { KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' }), {});
  assert.deepEqual(localKafkaAdminEnv({ KAFKA_USERNAME: 'ops' }), {});
});

test('the tools connect as admin, reading only the KAFKA_* variables', () => {
  assert.deepEqual(localKafkaAdminEnv({}), {
    KAFKA_USERNAME: 'admin',
    KAFKA_PASSWORD: secret('kafka-admin'),
  });
  const connection = localKafkaAdminConnection({
    KAFKA_BROKERS: 'b1:9092,b2:9092',
    LOG_LEVEL: 'not-a-level',
  });
  assert.deepEqual(connection.brokers, ['b1:9092', 'b2:9092']);
  assert.equal(connection.security.sasl?.username, 'admin');
});

test("npm run dlt connects as the operator: KAFKA_PASSWORD, else the local stack's secret", () => {
  assert.deepEqual(localKafkaOperatorEnv({}), {
    KAFKA_USERNAME: 'operator',
    KAFKA_PASSWORD: secret('kafka-operator'),
  });
  assert.equal(localKafkaOperatorEnv({ KAFKA_PASSWORD: 'given' }).KAFKA_PASSWORD, 'given');
  assert.deepEqual(localKafkaOperatorEnv({ KAFKA_USERNAME: 'ops-team' }), {});
  assert.deepEqual(localKafkaOperatorEnv({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' }), {});
  assert.equal(localKafkaOperatorConnection({}).security.sasl?.username, 'operator');
});
