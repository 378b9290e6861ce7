/**
 * `npm run -s token -- --role <customer|operator|carrier> [--sub <id>] [--ttl 1h]`: prints a bearer token
 * for the local stack alone on stdout, HS256-signed with AUTH_JWT_SECRET when set, else the local
 * stack's secret (.stack/secrets/auth-jwt-secret), the one `npm start` gives the services.
 *
 *   curl -H "Authorization: Bearer $(npm run -s token -- --role operator)" localhost:3000/orders
 */
import { parseArgs } from 'node:util';
import { type Role, roles } from '../lib/http/principal.ts';
import { parseTtl } from '../lib/http/sign-token.ts';
import { defaultSubjects, localToken } from './support/local-tokens.ts';

const usage =
  'usage: npm run -s token -- --role <customer|operator|carrier> [--sub <id>] [--ttl 1h|30m|3600]';

function fail(problem: string): never {
  process.stderr.write(`${problem}\n${usage}\n`);
  process.exit(2);
}

let values: { role?: string; sub?: string; ttl?: string };
try {
  ({ values } = parseArgs({
    options: { role: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.role === undefined) fail('--role is required');
if (!(roles as readonly string[]).includes(values.role)) {
  fail(`--role ${JSON.stringify(values.role)} is not one of ${roles.join(', ')}`);
}
const role = values.role as Role;
const sub = values.sub ?? defaultSubjects[role];
if (sub.trim() === '') fail('--sub must not be empty');
const ttlS = parseTtl(values.ttl ?? '1h');
if (ttlS === null) fail(`--ttl ${JSON.stringify(values.ttl)} is not a duration such as 30s, 15m, 1h, 7d`);

process.stdout.write(`${localToken(role, sub, ttlS)}\n`);
