import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../logger.ts';
import { createServiceApp } from './service-app.ts';
import { signToken } from './sign-token.ts';

/** RS256 through a JWKS URL: an issuer's key set served by a local HTTP server, as Keycloak or Auth0 would. */
describe('RS256 tokens verified with the key set of AUTH_JWKS_URL', () => {
  const issuerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Server;
  let keySetRequests = 0;
  let app: FastifyInstance;
  const claims = { sub: 'op-jwks', roles: ['operator'] };
  const get = (token: string) =>
    app.inject({ method: 'GET', url: '/ops', headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    const jwk = { ...issuerKey.publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((request, response) => {
      if (request.url !== '/realms/shop/certs') {
        response.writeHead(404).end();
        return;
      }
      keySetRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    const { port } = jwks.address() as AddressInfo;
    app = await createServiceApp(createLogger('auth-jwks-it', 'silent'), {
      title: 't',
      description: 'd',
      tags: [],
      auth: {
        verification: { kind: 'jwks', jwksUrl: `http://127.0.0.1:${port}/realms/shop/certs` },
        issuer: null,
        audience: null,
        faultsEnabled: false,
        rateLimitMax: 0,
        rateLimitWindowMs: 60_000,
      },
    });
    app.get('/ops', { config: { access: ['operator'] } }, async (request) => ({
      principal: request.principal,
    }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    jwks.close();
  });

  test('a token signed with the issuer’s private key is accepted; the key set is fetched once', async () => {
    const token = signToken(claims, { alg: 'RS256', privateKey: issuerKey.privateKey, kid: 'key-1' });
    const first = await get(token);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { principal: { sub: 'op-jwks', roles: ['operator'] } });
    const again = signToken(
      { ...claims, sub: 'op-2' },
      { alg: 'RS256', privateKey: issuerKey.privateKey, kid: 'key-1' },
    );
    assert.equal((await get(again)).statusCode, 200);
    assert.equal(keySetRequests, 1, 'get-jwks caches the key');
  });

  test('a token signed with another key under the same kid is refused', async () => {
    const forged = signToken(claims, { alg: 'RS256', privateKey: otherKey.privateKey, kid: 'key-1' });
    const response = await get(forged);
    assert.equal(response.statusCode, 401);
    assert.match(response.json().message, /token is invalid/);
  });

  test('a token naming a kid the key set does not have is refused', async () => {
    const unknown = signToken(claims, { alg: 'RS256', privateKey: otherKey.privateKey, kid: 'key-9' });
    const response = await get(unknown);
    assert.equal(response.statusCode, 401);
    assert.match(response.json().message, /no key of the key set/);
  });

  test('an HS256 token is refused: only RS256 is accepted with a JWKS', async () => {
    const hs = signToken(claims, { alg: 'HS256', secret: 'x'.repeat(32) });
    assert.equal((await get(hs)).statusCode, 401);
  });
});
