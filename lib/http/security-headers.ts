/**
 * Security headers. The JSON API's answers get the short list OWASP's REST Security Cheat Sheet
 * names, set in one call from a constant; the HTML pages (swagger-ui under /docs, the dashboard)
 * get helmet's full set, each with the CSP it needs. Helmet on every JSON answer cost ≈ 3 % of the orchestrator's CPU at
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

const isUnder = (url: string, prefix: string): boolean => url === prefix || url.startsWith(`${prefix}/`);

/** Pages a browser renders (swagger-ui, the dashboard): helmet's headers there, the API's elsewhere. */
export const isHtmlPage = (url: string): boolean => isUnder(url, '/docs') || isUnder(url, '/dashboard');

/**
 * The dashboard's CSP: its own scripts, styles, images and event stream ('self'), nothing inline,
 * nothing from elsewhere, never framed.
 */
export const dashboardCsp = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'none'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    upgradeInsecureRequests: null,
  },
  useDefaults: false,
};

/** Helmet's route options of an HTML page: the defaults (what swagger-ui needs), the dashboard's own CSP. */
export const htmlPageHelmet = (url: string): object =>
  isUnder(url, '/dashboard') ? { contentSecurityPolicy: dashboardCsp } : {};

export const setApiSecurityHeaders: onRequestHookHandler = (
  _request: FastifyRequest,
  reply: FastifyReply,
  done: () => void,
) => {
  reply.headers(apiSecurityHeaders);
  done();
};
