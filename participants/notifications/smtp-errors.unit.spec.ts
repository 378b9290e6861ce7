import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayAnswerOf } from './sms-gateway.ts';
import { classifySmtpError, refusalOf } from './smtp-errors.ts';

const smtpError = (fields: Record<string, unknown>, message = 'whatever the text says'): Error =>
  Object.assign(new Error(message), fields);

test('an SMTP 5xx reply is permanent, a 4xx transient, whatever the message', () => {
  assert.equal(classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550 })), 'permanent');
  assert.equal(
    classifySmtpError(smtpError({ code: 'EMESSAGE', responseCode: 554 }, 'try again later')),
    'permanent',
  );
  assert.equal(
    classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode: 451 }, 'rejected')),
    'transient',
  );
  assert.equal(classifySmtpError(smtpError({ responseCode: 421 })), 'transient');
});

test('connection, DNS, TLS, timeout and login failures are transient; anything else is unknown', () => {
  for (const code of ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EAUTH', 'ECONNREFUSED']) {
    assert.equal(classifySmtpError(smtpError({ code })), 'transient', code);
  }
  assert.equal(classifySmtpError(smtpError({ code: 'EENVELOPE' }, 'No recipients defined')), 'unknown');
  assert.equal(classifySmtpError(new Error('550 mailbox unavailable')), 'unknown', 'text is not read');
  assert.equal(classifySmtpError('a string'), 'unknown');
});

test('a refusal is recorded with its reply code and line', () => {
  assert.equal(
    refusalOf(smtpError({ responseCode: 550, response: '550 mailbox unavailable' })),
    '550 mailbox unavailable',
  );
  assert.equal(refusalOf(smtpError({ responseCode: 553 }, 'bad address')), '553 bad address');
});

test('the SMS gateway: 2xx sent; 408, 429 and 5xx transient; other 4xx permanent', () => {
  assert.deepEqual([200, 202, 400, 404, 408, 422, 429, 500, 503].map(gatewayAnswerOf), [
    'sent',
    'sent',
    'permanent',
    'permanent',
    'transient',
    'permanent',
    'transient',
    'transient',
    'transient',
  ]);
});
