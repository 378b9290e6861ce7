import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readAuthConfig } from './auth-config.ts';
import { ConfigError, type Env, EnvReader } from './env.ts';

const secret = 'x'.repeat(32);
const read = (env: Env) => {
  const reader = new EnvReader(env);
  const config = readAuthConfig(reader);
  reader.done();
  return config;
};
const problemsOf = (env: Env): string[] => {
  try {
    read(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
};

describe('auth config', () => {
  test('refuses to start without AUTH_JWT_SECRET or AUTH_JWKS_URL, naming both', () => {
    const problems = problemsOf({});
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /AUTH_JWT_SECRET or AUTH_JWKS_URL is required/);
    assert.match(problemsOf({ AUTH_JWT_SECRET: '   ' })[0] ?? '', /AUTH_JWT_SECRET or AUTH_JWKS_URL/);
  });

  test('a secret shorter than 32 characters, both methods at once, or a bad JWKS URL is refused', () => {
    assert.match(
      problemsOf({ AUTH_JWT_SECRET: 'short' })[0] ?? '',
      /AUTH_JWT_SECRET must be at least 32 characters \(it has 5\)/,
    );
    assert.match(
      problemsOf({ AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: 'https://id.example/jwks' })[0] ?? '',
      /both set/,
    );
    assert.match(
      problemsOf({ AUTH_JWKS_URL: 'ftp://id.example/jwks' })[0] ?? '',
      /AUTH_JWKS_URL.*must use one of http:, https:/,
    );
  });

  test('defaults: HS256, no iss/aud check, faults off, 6000 requests per minute', () => {
    assert.deepEqual(read({ AUTH_JWT_SECRET: secret }), {
      verification: { kind: 'hs256', secret },
      issuer: null,
      audience: null,
      faultsEnabled: false,
      rateLimitMax: 6_000,
      rateLimitWindowMs: 60_000,
    });
  });

  test('JWKS, issuer, audience, faults and rate limit from the environment', () => {
    assert.deepEqual(
      read({
        AUTH_JWKS_URL: 'https://id.example/realms/shop/protocol/openid-connect/certs',
        AUTH_JWT_ISSUER: 'https://id.example/realms/shop',
        AUTH_JWT_AUDIENCE: 'order-saga',
        FAULTS_ENABLED: 'true',
        RATE_LIMIT_MAX: '0',
        RATE_LIMIT_WINDOW_MS: '1000',
      }),
      {
        verification: {
          kind: 'jwks',
          jwksUrl: 'https://id.example/realms/shop/protocol/openid-connect/certs',
        },
        issuer: 'https://id.example/realms/shop',
        audience: 'order-saga',
        faultsEnabled: true,
        rateLimitMax: 0,
        rateLimitWindowMs: 1_000,
      },
    );
  });

  test('FAULTS_ENABLED and RATE_LIMIT_MAX must be valid', () => {
    assert.match(
      problemsOf({ AUTH_JWT_SECRET: secret, FAULTS_ENABLED: 'maybe' })[0] ?? '',
      /FAULTS_ENABLED="maybe" must be true or false/,
    );
    assert.match(problemsOf({ AUTH_JWT_SECRET: secret, RATE_LIMIT_MAX: '-1' })[0] ?? '', /RATE_LIMIT_MAX/);
  });
});
