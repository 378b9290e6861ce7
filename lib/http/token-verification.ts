import type { FastifyJWTOptions } from '@fastify/jwt';
import buildGetJwks from 'get-jwks';
import type { AuthConfig } from '../config/auth-config.ts';

/** The status and message of a request whose token could not be verified; null: not a token problem. */
export interface TokenFailure {
  status: 401 | 503;
  message: string;
}

const jwtMessages = {
  badRequestErrorMessage: 'the Authorization header must be "Bearer <token>"',
  noAuthorizationInHeaderMessage: 'no bearer token in the Authorization header',
  authorizationTokenExpiredMessage: 'token expired',
  authorizationTokenInvalid: (error: Error) => `token is invalid: ${error.message}`,
  authorizationTokenUntrusted: 'token is not trusted',
  authorizationTokenUnsigned: 'token is not signed',
};

/**
 * @fastify/jwt options: HS256 with AUTH_JWT_SECRET, or RS256 with the key of AUTH_JWKS_URL named by the
 * token's `kid` (get-jwks fetches and caches the set). Only the one algorithm is accepted either way,
 * and `iss`/`aud` are checked when configured. Verified tokens are cached (fast-jwt LRU, until they expire).
 */
export function jwtPluginOptions(config: AuthConfig): FastifyJWTOptions {
  const verify = {
    // Verified tokens kept (until they expire): a client's next request costs no signature check.
    cache: 10_000,
    ...(config.issuer === null ? {} : { allowedIss: config.issuer }),
    ...(config.audience === null ? {} : { allowedAud: config.audience }),
    // fast-jwt checks iss/aud only when the token has them: a configured one must be there.
    requiredClaims: [
      ...(config.issuer === null ? [] : ['iss']),
      ...(config.audience === null ? [] : ['aud']),
    ],
  };
  const { verification } = config;
  switch (verification.kind) {
    case 'hs256':
      return {
        secret: verification.secret,
        verify: { ...verify, algorithms: ['HS256'] },
        messages: jwtMessages,
      };
    case 'jwks': {
      const url = new URL(verification.jwksUrl);
      const getJwks = buildGetJwks({ jwksPath: `${url.pathname}${url.search}`.replace(/^\/+/, '') });
      return {
        decode: { complete: true },
        secret: async (_request: unknown, token: unknown) => {
          const { header } = token as { header: { kid?: string; alg?: string } };
          try {
            // A token without kid matches a key without kid.
            return await getJwks.getPublicKey({
              domain: url.origin,
              alg: 'RS256',
              kid: header.kid as string,
            });
          } catch (error) {
            if ((error as { name?: unknown }).name === 'GetJwksError') throw error;
            throw new JwksUnavailableError(verification.jwksUrl, error);
          }
        },
        verify: { ...verify, algorithms: ['RS256'] },
        messages: jwtMessages,
      } as unknown as FastifyJWTOptions;
    }
    default: {
      const unknown: never = verification;
      throw new Error(`unknown token verification ${JSON.stringify(unknown)}`);
    }
  }
}

/** The key set could not be fetched (network, DNS, timeout). */
export class JwksUnavailableError extends Error {
  readonly code = 'JWKS_UNAVAILABLE';
  constructor(url: string, cause: unknown) {
    super(`GET ${url} failed: ${(cause as Error).message}`, { cause });
    this.name = 'JwksUnavailableError';
  }
}

const keyNotFound = new Set(['JWK_NOT_FOUND', 'NO_JWKS', 'DOMAIN_NOT_ALLOWED']);

/** Classifies an error of `request.jwtVerify()`: the token's fault (401), the key set's (503), or neither (null). */
export function tokenFailureOf(error: unknown): TokenFailure | null {
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code !== 'string') return null;
  if (code.startsWith('FST_JWT_') || code.startsWith('FAST_JWT_')) {
    return { status: 401, message: String(message) };
  }
  if (error instanceof JwksUnavailableError) {
    return {
      status: 503,
      message: `the key set (AUTH_JWKS_URL) could not be read: ${error.message}`,
    };
  }
  if (name === 'GetJwksError') {
    return keyNotFound.has(code)
      ? {
          status: 401,
          message: 'token is invalid: no key of the key set (AUTH_JWKS_URL) matches its kid',
        }
      : {
          status: 503,
          message: `the key set (AUTH_JWKS_URL) could not be read: ${String(message)}`,
        };
  }
  return null;
}
