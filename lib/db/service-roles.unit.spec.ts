import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scramSha256Verifier } from './role-provisioning.ts';
import { serviceDatabaseUrl, serviceDatabaseUrlVariable, serviceRoleOf } from './service-roles.ts';

describe('service roles (pure)', () => {
  test("a service's URL is the owner's with the service's role and password; host, port, database and query stay", () => {
    const url = serviceDatabaseUrl(
      'postgres://postgres:owner-secret@db.example:6543/order_saga_test?sslmode=require&application_name=x',
      'payment',
      'p4ss',
    );
    assert.equal(
      url,
      'postgres://order_saga_payment:p4ss@db.example:6543/order_saga_test?sslmode=require&application_name=x',
    );
    const parsed = new URL(url);
    assert.equal(parsed.username, 'order_saga_payment');
    assert.equal(parsed.pathname, '/order_saga_test');
  });

  test('an owner URL without a password gets one; characters that would end the user part are escaped', () => {
    const url = serviceDatabaseUrl(
      'postgresql://postgres@127.0.0.1:5432/order_saga',
      'orchestrator',
      'a@b:c/d%e#f',
    );
    const parsed = new URL(url);
    assert.equal(parsed.protocol, 'postgresql:');
    assert.equal(parsed.host, '127.0.0.1:5432');
    assert.equal(parsed.username, 'order_saga_orchestrator');
    assert.equal(decodeURIComponent(parsed.password), 'a@b:c/d%e#f', 'the password survives the round trip');
    assert.equal(parsed.pathname, '/order_saga');
  });

  test('refuses a URL that is not PostgreSQL', () => {
    assert.throws(() => serviceDatabaseUrl('mysql://root@localhost/x', 'shipping', 'p'), /expected postgres/);
  });

  test('role and variable names', () => {
    assert.equal(serviceRoleOf('inventory'), 'order_saga_inventory');
    assert.equal(serviceDatabaseUrlVariable('orchestrator'), 'ORCHESTRATOR_DATABASE_URL');
  });

  test('the SCRAM-SHA-256 verifier has the layout PostgreSQL stores, and a fresh salt each time', () => {
    const salt = Buffer.alloc(16, 7);
    const verifier = scramSha256Verifier('pencil', salt, 4096);
    assert.match(verifier, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    assert.equal(verifier.split('$')[1], `4096:${salt.toString('base64')}`);
    assert.equal(scramSha256Verifier('pencil', salt, 4096), verifier, 'same salt, same verifier');
    assert.notEqual(scramSha256Verifier('pencil2', salt, 4096), verifier);
    assert.notEqual(scramSha256Verifier('pencil'), scramSha256Verifier('pencil'), 'random salt');
  });
});
