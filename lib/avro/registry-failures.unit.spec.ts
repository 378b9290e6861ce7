import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistrationError } from './errors.ts';
import { isTransient, registryFailure, toRegistrationError } from './registry-failures.ts';

/** An HTTP error as the registry client throws it (mappersmith ResponseError). */
const responseError = (status: number, message: string) =>
  Object.assign(new Error(`ordersaga - ${message}`), { name: 'ResponseError', status });

describe('registry failures', () => {
  it('tells an HTTP answer, a network failure and a local error apart', () => {
    assert.deepEqual(registryFailure(responseError(404, 'Schema not found')), {
      kind: 'http',
      status: 404,
      message: 'Schema not found',
    });
    // the client reports a refused connection as a fake HTTP 400 with the error text as body
    assert.deepEqual(registryFailure(responseError(400, 'Error, status 400: connect ECONNREFUSED')), {
      kind: 'network',
      message: 'registry unreachable: connect ECONNREFUSED',
    });
    assert.deepEqual(registryFailure(new Error('invalid "record" name')), {
      kind: 'local',
      message: 'invalid "record" name',
    });
    assert.deepEqual(registryFailure('odd'), { kind: 'local', message: 'odd' });
  });

  it('counts network failures, 5xx, 408 and 429 as transient', () => {
    const transient = (err: unknown) => isTransient(registryFailure(err));
    assert.equal(transient(responseError(400, 'Error, status 400: socket hang up')), true);
    for (const status of [500, 503, 408, 429]) assert.equal(transient(responseError(status, 'x')), true);
    for (const status of [400, 404, 409, 422]) assert.equal(transient(responseError(status, 'x')), false);
    assert.equal(transient(new Error('local')), false);
  });

  it('maps the registry answers to typed reasons and keeps the message and cause', () => {
    const incompatible = toRegistrationError('s-1', responseError(409, 'Incompatible schema'));
    assert.ok(incompatible instanceof SchemaRegistrationError);
    assert.equal(incompatible.reason, 'incompatible');
    assert.equal(incompatible.subject, 's-1');
    assert.equal(incompatible.status, 409);
    assert.equal(incompatible.registryMessage, 'Incompatible schema');
    assert.match(incompatible.message, /s-1/);
    assert.ok(incompatible.cause instanceof Error);
    assert.equal(toRegistrationError('s', responseError(422, 'bad')).reason, 'invalid_schema');
    assert.equal(toRegistrationError('s', responseError(503, 'down')).reason, 'registry_unavailable');
    assert.equal(toRegistrationError('s', new Error('invalid "record" name')).reason, 'invalid_schema');
    assert.equal(toRegistrationError('s', responseError(400, 'odd')).reason, 'registry_error');
    const refused = toRegistrationError(
      's',
      responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:9'),
    );
    assert.equal(refused.reason, 'registry_unavailable');
    assert.equal(refused.status, undefined);
    assert.match(refused.registryMessage, /ECONNREFUSED/);
    const mismatch = Object.assign(
      new Error('Compatibility does not match the configuration (BACKWARD != NONE)'),
      {
        name: 'ConfluentSchemaRegistryCompatibilityError',
      },
    );
    assert.equal(toRegistrationError('s', mismatch).reason, 'compatibility_mismatch');
  });

  it('passes a SchemaRegistrationError through unchanged', () => {
    const original = new SchemaRegistrationError('incompatible', 's', 'no');
    assert.equal(toRegistrationError('other', original), original);
  });
});
