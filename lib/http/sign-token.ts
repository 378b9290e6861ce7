/**
 * Signs bearer tokens (compact JWS): HS256 with a shared secret (the local stack, the tests,
 * `npm run token`) or RS256 with a private key (tests of JWKS verification). One implementation,
 * node:crypto only; services never sign, they verify (lib/http/auth.ts).
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';
import type { Role } from './principal.ts';

export interface TokenClaims {
  sub: string;
  roles: readonly (Role | string)[];
  iss?: string;
  aud?: string;
  [claim: string]: unknown;
}

export type SigningKey =
  | { alg: 'HS256'; secret: string }
  | { alg: 'RS256'; privateKey: KeyObject; kid?: string };

export interface SignOptions {
  /** Lifetime in seconds (default 3600); a negative value makes an already expired token. */
  ttlS?: number;
  /** Seconds since the epoch; default: now. */
  nowS?: number;
}

const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(
  claims: TokenClaims,
  key: SigningKey,
  { ttlS = 3_600, nowS }: SignOptions = {},
): string {
  const iat = nowS ?? Math.floor(Date.now() / 1000);
  const header =
    key.alg === 'RS256' && key.kid !== undefined
      ? { alg: key.alg, typ: 'JWT', kid: key.kid }
      : { alg: key.alg, typ: 'JWT' };
  const signingInput = `${part(header)}.${part({ ...claims, iat, exp: iat + ttlS })}`;
  const signature =
    key.alg === 'HS256'
      ? createHmac('sha256', key.secret).update(signingInput).digest()
      : sign('sha256', Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** `30s`, `15m`, `1h`, `7d` or plain seconds → seconds; null when it is none of those. */
export function parseTtl(text: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const factor = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * factor;
  return seconds > 0 ? seconds : null;
}
