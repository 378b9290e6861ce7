import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createServiceApp } from '../lib/http/service-app.ts';
import { createLogger } from '../lib/logger.ts';
import { runScript } from '../test/support/run-script.ts';

const secret = randomBytes(32).toString('base64url');
const env = { ...process.env, AUTH_JWT_SECRET: secret };
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());

describe('npm run token', () => {
  test('prints a token alone on stdout that a service with the same secret accepts', async () => {
    const run = await runScript('scripts/token.ts', ['--role', 'operator'], env);
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    assert.equal(run.stdout, `${token}\n`);
    const claims = claimsOf(token);
    assert.equal(claims.sub, 'operator-1');
    assert.deepEqual(claims.roles, ['operator']);
    assert.equal(claims.exp - claims.iat, 3_600);
    const app = await createServiceApp(createLogger('token-unit', 'silent'), {
      title: 't',
      description: 'd',
      tags: [],
      auth: {
        verification: { kind: 'hs256', secret },
        issuer: null,
        audience: null,
        faultsEnabled: false,
        rateLimitMax: 0,
        rateLimitWindowMs: 60_000,
      },
    });
    app.get('/ops', { config: { access: ['operator'] } }, async () => 'ok');
    const response = await app.inject({
      method: 'GET',
      url: '/ops',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 200);
    await app.close();
  });

  test('--sub and --ttl; the customer default subject', async () => {
    const named = await runScript(
      'scripts/token.ts',
      ['--role', 'customer', '--sub', 'alice', '--ttl', '15m'],
      env,
    );
    const claims = claimsOf(named.stdout.trim());
    assert.deepEqual([claims.sub, claims.roles, claims.exp - claims.iat], ['alice', ['customer'], 900]);
    const plain = await runScript('scripts/token.ts', ['--role', 'customer'], env);
    assert.equal(claimsOf(plain.stdout.trim()).sub, 'customer-1');
  });

  const bad: Array<[string[], RegExp]> = [
    [[], /--role is required/],
    [['--role', 'admin'], /--role "admin" is not one of customer, operator/],
    [['--role', 'customer', '--ttl', 'soon'], /--ttl "soon" is not a duration/],
    [['--role', 'customer', '--colour', 'red'], /colour/],
  ];
  for (const [args, message] of bad) {
    test(`usage error: ${args.join(' ') || '(no arguments)'}`, async () => {
      const run = await runScript('scripts/token.ts', args, env);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: npm run -s token/);
    });
  }
});
