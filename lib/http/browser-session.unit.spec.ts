import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clearedSessionCookie,
  expiryOf,
  isBrowserSessionPath,
  isSafeMethod,
  looksLikeJwt,
  queryTokenOf,
  sessionCookie,
  sessionCookieName,
  sessionTokenOf,
  withoutToken,
} from './browser-session.ts';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcCJ9.c2lnbmF0dXJl';

describe('browser session (the dashboard’s sign-in)', () => {
  it('covers /dashboard and what is under it, nothing else', () => {
    assert.ok(isBrowserSessionPath('/dashboard'));
    assert.ok(isBrowserSessionPath('/dashboard/orders/:id'));
    assert.ok(!isBrowserSessionPath('/dashboards'));
    assert.ok(!isBrowserSessionPath('/orders'));
  });

  it('keeps the token in an HttpOnly, SameSite=Strict cookie for the pages until the token expires', () => {
    const exp = Date.UTC(2030, 0, 2, 3, 4, 5) / 1000;
    assert.equal(
      sessionCookie(jwt, exp, false),
      `${sessionCookieName}=${jwt}; Path=/dashboard; HttpOnly; SameSite=Strict; Expires=Wed, 02 Jan 2030 03:04:05 GMT`,
    );
    assert.match(sessionCookie(jwt, null, true), /; HttpOnly; SameSite=Strict; Secure$/);
    assert.throws(() => sessionCookie('a;b', null, false), /JWT only/);
    assert.match(
      clearedSessionCookie(),
      /^saga_dashboard_session=; Path=\/dashboard;.*Expires=Thu, 01 Jan 1970/,
    );
  });

  it('reads the session token from a Cookie header among others', () => {
    assert.equal(sessionTokenOf(`a=1; ${sessionCookieName}=${jwt}; b=2`), jwt);
    assert.equal(sessionTokenOf('a=1'), undefined);
    assert.equal(sessionTokenOf(`${sessionCookieName}=`), undefined);
    assert.equal(sessionTokenOf(undefined), undefined);
  });

  it('takes ?token= out of the URL it redirects to, keeping the rest', () => {
    assert.equal(queryTokenOf(`/dashboard?token=${jwt}`), jwt);
    assert.equal(queryTokenOf('/dashboard?status=FAILED'), null);
    assert.equal(withoutToken(`/dashboard?token=${jwt}`), '/dashboard');
    assert.equal(withoutToken(`/dashboard?status=FAILED&token=${jwt}`), '/dashboard?status=FAILED');
    assert.equal(withoutToken('/dashboard/orders/1'), '/dashboard/orders/1');
  });

  it('knows JWT shapes, expiries and safe methods', () => {
    assert.ok(looksLikeJwt(jwt));
    assert.ok(!looksLikeJwt('x; Path=/'));
    assert.equal(expiryOf({ exp: 1_900_000_000 }), 1_900_000_000);
    assert.equal(expiryOf({}), null);
    assert.ok(isSafeMethod('GET') && isSafeMethod('HEAD') && !isSafeMethod('POST'));
  });
});
