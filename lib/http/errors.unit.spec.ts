import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientErrorMessage } from './errors.ts';

describe('4xx messages', () => {
  test("an error's own message is kept", () => {
    assert.equal(
      clientErrorMessage(new Error('body.items is required'), 400, 'POST', '/orders'),
      'body.items is required',
    );
  });

  test('one that says only the status (or nothing) names the method and path instead', () => {
    assert.equal(
      clientErrorMessage(new Error('Forbidden'), 403, 'GET', '/docs/static/%00?x=1'),
      'Forbidden: GET /docs/static/%00',
    );
    assert.equal(clientErrorMessage(new Error(' '), 404, 'GET', '/x'), 'Not Found: GET /x');
    assert.equal(clientErrorMessage('odd', 400, 'PUT', '/y'), 'Bad Request: PUT /y');
    const long = clientErrorMessage(new Error('not found'), 404, 'GET', `/${'a'.repeat(500)}`);
    assert.ok(long.length < 240 && long.endsWith('…'), long);
  });
});
