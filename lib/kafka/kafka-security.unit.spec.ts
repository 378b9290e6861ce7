import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, type Env, EnvReader } from '../config/env.ts';
import { kafkajsSecurityOptions, readKafkaSecurity } from './kafka-security.ts';

const read = (env: Env) => {
  const reader = new EnvReader(env);
  const security = readKafkaSecurity(reader);
  reader.done();
  return security;
};
const problemsOf = (env: Env): string[] => {
  try {
    read(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return assert.fail('expected a ConfigError');
};

test('credentials give SASL/SCRAM-SHA-512 without TLS by default', () => {
  const security = read({ KAFKA_USERNAME: 'inventory', KAFKA_PASSWORD: 's3cret' });
  assert.deepEqual(security, {
    sasl: { mechanism: 'scram-sha-512', username: 'inventory', password: 's3cret' },
    tls: null,
  });
  assert.deepEqual(kafkajsSecurityOptions(security), {
    sasl: { mechanism: 'scram-sha-512', username: 'inventory', password: 's3cret' },
  });
});

test('secure by default: no credentials is a ConfigError naming the variables', () => {
  const [problem, ...more] = problemsOf({});
  assert.equal(more.length, 0);
  assert.match(problem ?? '', /^KAFKA_USERNAME and KAFKA_PASSWORD must be set/);
  assert.match(problem ?? '', /KAFKA_SECURITY_PROTOCOL=PLAINTEXT/);
  assert.match(problemsOf({ KAFKA_USERNAME: 'inventory' })[0] ?? '', /^KAFKA_PASSWORD must be set/);
});

test('KAFKA_SECURITY_PROTOCOL=PLAINTEXT explicitly: no SASL, and credentials then are a mistake', () => {
  assert.deepEqual(read({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' }), { sasl: null, tls: null });
  assert.deepEqual(kafkajsSecurityOptions({ sasl: null, tls: null }), {});
  assert.match(
    problemsOf({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', KAFKA_USERNAME: 'a', KAFKA_PASSWORD: 'b' })[0] ?? '',
    /KAFKA_USERNAME\/KAFKA_PASSWORD are set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT/,
  );
});

test('mechanisms: plain and scram-sha-256 are allowed, anything else is named', () => {
  const creds = { KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' };
  assert.equal(read({ ...creds, KAFKA_SASL_MECHANISM: 'plain' }).sasl?.mechanism, 'plain');
  assert.equal(read({ ...creds, KAFKA_SASL_MECHANISM: 'scram-sha-256' }).sasl?.mechanism, 'scram-sha-256');
  assert.match(
    problemsOf({ ...creds, KAFKA_SASL_MECHANISM: 'gssapi' })[0] ?? '',
    /^KAFKA_SASL_MECHANISM="gssapi"/,
  );
});

test('KAFKA_SSL=true turns TLS on (SASL_SSL), with a CA file read at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
  const creds = { KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' };
  assert.deepEqual(read({ ...creds, KAFKA_SSL: 'true' }).tls, { ca: null });
  const withCa = read({ ...creds, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: caFile });
  assert.deepEqual(kafkajsSecurityOptions(withCa).ssl, {
    ca: ['-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n'],
  });
  assert.match(
    problemsOf({ ...creds, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })[0] ?? '',
    /^KAFKA_SSL_CA_FILE=".*missing.pem" cannot be read/,
  );
  assert.match(
    problemsOf({ ...creds, KAFKA_SSL_CA_FILE: caFile })[0] ?? '',
    /TLS is off: set KAFKA_SSL=true/,
  );
  assert.match(
    problemsOf({ ...creds, KAFKA_SSL: 'yes' })[0] ?? '',
    /^KAFKA_SSL="yes" must be one of true, false/,
  );
  assert.match(
    problemsOf({ ...creds, KAFKA_SSL: 'true', KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })[0] ?? '',
    /KAFKA_SSL=true contradicts/,
  );
});

test('KAFKA_SECURITY_PROTOCOL=SASL_SSL alone turns TLS on; KAFKA_SSL=false against it is named', () => {
  const creds = { KAFKA_USERNAME: 'u', KAFKA_PASSWORD: 'p' };
  assert.deepEqual(read({ ...creds, KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }).tls, { ca: null });
  assert.deepEqual(read({ KAFKA_SECURITY_PROTOCOL: 'SSL' }), { sasl: null, tls: { ca: null } });
  assert.match(
    problemsOf({ ...creds, KAFKA_SSL: 'false', KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })[0] ?? '',
    /^KAFKA_SSL=false contradicts KAFKA_SECURITY_PROTOCOL=SASL_SSL/,
  );
});
