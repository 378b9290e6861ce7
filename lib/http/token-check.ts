/**
 * Token checks shared by the API's bearer hook (auth.ts) and the pages' session hook
 * (browser-session-hook.ts): verify a token (401 or 503 when it does not), remember it, check roles.
 */
import type { FastifyJWTOptions } from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from './principal.ts';
import { principalFromClaims } from './principal-claims.ts';
import { tokenFailureOf } from './token-verification.ts';
import type { VerifiedTokens } from './verified-tokens.ts';

export const unauthorized = (reply: FastifyReply, message: string) =>
  reply
    .code(401)
    .header(
      'www-authenticate',
      // A header value is printable ASCII without quotes; the body has the message as it is.
      `Bearer error="invalid_token", error_description="${message.replace(/[^\x20-\x7e]|"/g, "'")}"`,
    )
    .send({ statusCode: 401, error: 'Unauthorized', message });

const forbidden = (reply: FastifyReply, message: string) =>
  reply.code(403).send({ statusCode: 403, error: 'Forbidden', message });

/**
 * The verified claims of the request's bearer token, or of `token` when given (the browser session,
 * browser-session-hook.ts); undefined once it has answered 401 (the token's fault) or 503 (the key
 * set's).
 */
export async function verifiedClaims(
  request: FastifyRequest,
  reply: FastifyReply,
  token?: string,
): Promise<{ claims: unknown; principal: Principal } | undefined> {
  let claims: unknown;
  try {
    // A token that is not the Authorization header's is handed to @fastify/jwt through extractToken.
    const fromToken: NonNullable<FastifyJWTOptions['verify']> = { extractToken: () => token };
    claims = await request.jwtVerify(token === undefined ? undefined : fromToken);
  } catch (error) {
    const failure = tokenFailureOf(error);
    if (failure === null) throw error;
    if (failure.status === 401) {
      void unauthorized(reply, failure.message);
      return undefined;
    }
    request.log.error({ err: error }, failure.message);
    void reply.code(503).send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the keys that verify tokens are unavailable; retry later',
    });
    return undefined;
  }
  const principal = principalFromClaims(claims);
  if (typeof principal === 'string') {
    void unauthorized(reply, principal);
    return undefined;
  }
  return { claims, principal };
}

/**
 * The principal of a token verified before (`verified`, keyed by `Bearer <token>`), else verified
 * now and remembered; undefined once the reply is sent. `token`: not the Authorization header's.
 */
export async function principalOfToken(
  request: FastifyRequest,
  reply: FastifyReply,
  verified: VerifiedTokens,
  header: string,
  token?: string,
): Promise<Principal | undefined> {
  const known = verified.principalOf(header, Date.now());
  if (known !== undefined) return known;
  const result = await verifiedClaims(request, reply, token);
  if (result === undefined) return undefined;
  verified.remember(header, result.principal, result.claims);
  return result.principal;
}

/** Sends 403 unless the principal has one of `allowed`; true when it has. */
export function hasRole(reply: FastifyReply, principal: Principal, allowed: readonly Role[]): boolean {
  if (principal.roles.some((role) => allowed.includes(role))) return true;
  const has = principal.roles.length === 0 ? 'no role' : `roles ${principal.roles.join(', ')}`;
  void forbidden(reply, `this route needs the role ${allowed.join(' or ')}; the token has ${has}`);
  return false;
}
