/**
 * Security headers. The JSON API's answers get the short list OWASP's REST Security Cheat Sheet
 * names, set in one call from a constant; the HTML pages (swagger-ui under /docs) get helmet's full
 * set, with the CSP they need. Helmet on every JSON answer cost ≈ 3 % of the orchestrator's CPU at
 * saturation (a profile of `npm run bench -- --profile`), for headers a browser only reads on pages.
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

export const apiSecurityHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Pages a browser renders: helmet's headers there, the API's elsewhere. */
export const isHtmlPage = (url: string): boolean => url === '/docs' || url.startsWith('/docs/');

export const setApiSecurityHeaders: onRequestHookHandler = (
  _request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
) => {
  reply.headers(apiSecurityHeaders);
  done();
};
