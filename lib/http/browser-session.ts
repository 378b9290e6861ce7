/**
 * Browser sign-in for the pages under /dashboard, the way Jupyter does it: a link carries the bearer
 * token once (`?token=<jwt>`); the server verifies it like the API does, keeps it in an HttpOnly,
 * SameSite=Strict cookie scoped to the pages, and redirects (303) to the same URL without the token,
 * so it leaves the address bar and the history. Later requests to those pages authenticate with the
 * cookie. The JSON API never reads the cookie: it takes bearer tokens only.
 *
 * State-changing requests under the pages must carry `sessionRequestHeader`: a browser sends a custom
 * header cross-site only after a CORS preflight, which this server never grants, so another site
 * cannot make the operator's browser act (CSRF), even where SameSite is not enforced.
 */

/** The prefix of the pages that accept the session cookie (and `?token=`). */
export const browserSessionPrefix = '/dashboard';

export const sessionCookieName = 'saga_dashboard_session';

/** The header (value `1`) that the pages' own scripts send with every state-changing request. */
export const sessionRequestHeader = 'x-dashboard-request';

export const isBrowserSessionPath = (url: string): boolean =>
  url === browserSessionPrefix || url.startsWith(`${browserSessionPrefix}/`);

/** The session token in a Cookie header, or undefined. */
export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== sessionCookieName) continue;
    const value = pair.slice(eq + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** A JWT is three base64url parts: safe as a cookie value as it is. Anything else is refused. */
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const looksLikeJwt = (token: string): boolean => jwtShape.test(token);

/**
 * The Set-Cookie value that keeps `token` for the pages until `expSeconds` (the token's `exp`;
 * null: until the browser closes). `secure`: the request came over https.
 */
export function sessionCookie(token: string, expSeconds: number | null, secure: boolean): string {
  if (!looksLikeJwt(token)) throw new Error('a session cookie holds a JWT only');
  return [
    `${sessionCookieName}=${token}`,
    `Path=${browserSessionPrefix}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(expSeconds === null ? [] : [`Expires=${new Date(expSeconds * 1000).toUTCString()}`]),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that removes the session (a token that no longer verifies). */
export const clearedSessionCookie = (): string =>
  `${sessionCookieName}=; Path=${browserSessionPrefix}; HttpOnly; SameSite=Strict; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;

/** The `token` query parameter of a request URL (path and query), or null. */
export function queryTokenOf(url: string): string | null {
  const query = url.indexOf('?');
  if (query < 0) return null;
  return new URLSearchParams(url.slice(query + 1)).get('token');
}

/** The same path and query without the `token` parameter: where the sign-in redirects to. */
export function withoutToken(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  params.delete('token');
  const rest = params.toString();
  return rest === '' ? url.slice(0, query) : `${url.slice(0, query)}?${rest}`;
}

/** The `exp` claim (seconds since the epoch) of verified claims, or null. */
export function expiryOf(claims: unknown): number | null {
  const exp = (claims as { exp?: unknown } | null)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
}

/** GET and HEAD change nothing; every other method needs `sessionRequestHeader`. */
export const isSafeMethod = (method: string): boolean => method === 'GET' || method === 'HEAD';
