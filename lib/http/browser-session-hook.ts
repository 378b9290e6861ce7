import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import {
  clearedSessionCookie,
  expiryOf,
  isSafeMethod,
  looksLikeJwt,
  queryTokenOf,
  sessionCookie,
  sessionRequestHeader,
  sessionTokenOf,
  withoutToken,
} from './browser-session.ts';
import type { Role } from './principal.ts';
import { hasRole, principalOfToken, unauthorized, verifiedClaims } from './token-check.ts';
import type { VerifiedTokens } from './verified-tokens.ts';

const signInHint =
  'sign in by opening a dashboard URL with ?token=<operator token> (npm start prints one; npm run token -- --role operator)';

/** `?token=`: verified like a bearer token; a good one becomes the session cookie, then 303 to the clean URL. */
async function signIn(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  allowed: readonly Role[],
): Promise<FastifyReply> {
  if (!looksLikeJwt(token)) return unauthorized(reply, 'the token parameter is not a JWT');
  const verified = await verifiedClaims(request, reply, token);
  if (verified === undefined || !hasRole(reply, verified.principal, allowed)) return reply;
  return reply
    .code(303)
    .header('set-cookie', sessionCookie(token, expiryOf(verified.claims), request.protocol === 'https'))
    .header('location', withoutToken(request.url))
    .send();
}

/**
 * The onRequest hook of a page under /dashboard that needs one of `allowed` (lib/http/browser-session.ts):
 * `?token=` on a GET signs in; otherwise the session cookie must hold a token that verifies and has the role;
 * a state-changing request must also carry the pages' own header.
 */
export function requireBrowserSession(
  allowed: readonly Role[],
  verified: VerifiedTokens,
): onRequestHookHandler {
  return async function checkSession(request: FastifyRequest, reply: FastifyReply) {
    // Only a page load signs in: a cross-site form POST must not plant another session.
    const queryToken = isSafeMethod(request.method) ? queryTokenOf(request.url) : null;
    if (queryToken !== null) return signIn(request, reply, queryToken, allowed);
    const token = sessionTokenOf(request.headers.cookie);
    if (token === undefined || !looksLikeJwt(token)) {
      return unauthorized(reply, `no dashboard session: ${signInHint}`);
    }
    // A token that expired or no longer verifies is dropped with the 401, so the next sign-in starts clean.
    reply.header('set-cookie', clearedSessionCookie());
    const principal = await principalOfToken(request, reply, verified, `Bearer ${token}`, token);
    if (principal === undefined) return reply;
    reply.removeHeader('set-cookie');
    if (!hasRole(reply, principal, allowed)) return reply;
    if (!isSafeMethod(request.method) && request.headers[sessionRequestHeader] !== '1') {
      return reply.code(403).send({
        statusCode: 403,
        error: 'Forbidden',
        message: `a dashboard ${request.method} needs the ${sessionRequestHeader}: 1 header (sent by the dashboard's own scripts)`,
      });
    }
    request.principal = principal;
  };
}
