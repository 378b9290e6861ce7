/** GET /asyncapi.json: the orchestrator serves the generated document, to anyone. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { orderSagaAsyncApi } from '../../orchestrator/saga/saga-asyncapi.ts';
import { buildServiceApp } from '../auth/service-apps.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-database.ts';
import { testAuthConfig } from '../support/tokens.ts';

describe('GET /asyncapi.json', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 2 });
    app = await buildServiceApp('orchestrator', database, testAuthConfig({ faultsEnabled: false }));
  });
  after(async () => {
    await app.close();
    await database.drop();
  });

  it('answers without a token with the document the code generates (docs/asyncapi.yaml)', async () => {
    const response = await app.inject({ method: 'GET', url: '/asyncapi.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.deepEqual(response.json(), JSON.parse(JSON.stringify(orderSagaAsyncApi())));
  });

  it('is not an operation of the OpenAPI document', async () => {
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(openapi.paths['/asyncapi.json'], undefined);
  });
});
