/**
 * Malformed HTTP requests for a route, as fast-check arbitraries (test/http-fuzz.int.spec.ts): bad
 * path parameters and query strings, wrong content types, broken JSON, bodies derived from the
 * route's schema with a field missing, of the wrong type, unknown, huge or in odd unicode, and tokens
 * of every kind (valid ones of the roles the route allows, so most requests reach validation).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Role, RouteAccess } from '../../lib/http/principal.ts';
import { signToken } from '../../lib/http/sign-token.ts';
import { tokenFor } from './tokens.ts';

/** A JSON schema as fastify and the OpenAPI document hold it (the parts a body sample needs). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
}

export interface FuzzRoute {
  method: string;
  url: string;
  access: RouteAccess;
  /** The body schema (from the app's OpenAPI document), when the route documents one. */
  body: JsonSchema | undefined;
  /** Query parameter names the route documents. */
  query: readonly string[];
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
  /** What the generator did, for the failure report. */
  label: string;
}

/** A valid-looking value of a schema (the first enum value, a UUID for a uuid, minimums met). */
export function sampleOf(schema: JsonSchema): unknown {
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [name, sampleOf(property)]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleOf(schema.items ?? {}));
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return randomUUID();
      if (schema.pattern?.includes('A-Z]{2}')) return 'DE';
      if (schema.pattern?.includes('A-Z]{3}')) return 'EUR';
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return null;
  }
}

/** Paths of a value's object fields, e.g. `['items', 0, 'quantity']`. */
function fieldPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldPaths(v, [...prefix, i]));
  if (value === null || typeof value !== 'object') return prefix.length > 0 ? [prefix] : [];
  const own = Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
  return prefix.length > 0 ? [prefix, ...own] : own;
}

const setAt = (root: unknown, path: Array<string | number>, change: (parent: never, key: never) => void) => {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  change(parent as never, path[path.length - 1] as never);
  return copy;
};

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes as its UTF-8 replacement. */
const encode = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(Buffer.from(text).toString());
  }
};

const oddStrings = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uFEFF',
    '\uD800',
    '😀'.repeat(50),
    'a'.repeat(20_000),
    '../../etc/passwd',
    "' or 1=1 --",
    '<script>alert(1)</script>',
    'Connection terminated unexpectedly',
    '-1',
    '1e309',
    'NaN',
    '00000000-0000-0000-0000-00000000000g',
  ),
);

const wrongTypedValues = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 2 ** 53, '', [], {}, 'x'.repeat(100_000)),
  oddStrings,
  fc.jsonValue({ maxDepth: 2 }),
);

/** A body derived from the route's schema with one defect, or no schema at all. */
const mutatedBody = (schema: JsonSchema | undefined): fc.Arbitrary<{ json: unknown; label: string }> => {
  const valid = schema ? sampleOf(schema) : {};
  const paths = fieldPaths(valid);
  const path = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant<Array<string | number>>([]);
  return fc.oneof(
    fc.record({ json: fc.constant(valid), label: fc.constant('valid sample') }),
    fc.tuple(path, wrongTypedValues).map(([p, bad]) => ({
      json:
        p.length === 0
          ? bad
          : setAt(valid, p, (parent: Record<string, unknown>, key: string) => {
              parent[key] = bad;
            }),
      label: `wrong value at ${p.join('.')}`,
    })),
    path.map((p) => ({
      json:
        p.length === 0
          ? undefined
          : setAt(valid, p, (parent: Record<string, unknown>, key: string) => {
              if (Array.isArray(parent)) parent.splice(Number(key), 1);
              else delete parent[key];
            }),
      label: `missing ${p.join('.')}`,
    })),
    fc.string({ minLength: 1, maxLength: 12 }).map((name) => ({
      json: { ...(valid as object), [`x_${name}`]: 1 },
      label: `extra field x_${name}`,
    })),
    fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json, label: 'random JSON' })),
  );
};

const brokenJson = fc.oneof(
  fc.constantFrom('{', '{"a":}', '[1,2', 'null', '"', '{"items":[{]}', '\u0000', 'undefined', '{}}'),
  fc.string({ maxLength: 60 }),
  fc.constant(`{"pad":"${'x'.repeat(1_100_000)}"}`),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  '',
  'garbage/;;;',
);

const roleTokens = (allowed: readonly Role[]) =>
  fc.constantFrom(...allowed).map((role) => `Bearer ${tokenFor(role)}`);

/** Authorization headers: mostly a valid token of an allowed role; sometimes none, another role's, or junk. */
const authorization = (access: RouteAccess): fc.Arbitrary<string | undefined> => {
  const junk = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'Bearer ',
      'Bearer garbage',
      'Basic dXNlcjpwYXNz',
      'bearer x.y.z',
      `Bearer ${'a'.repeat(9_000)}`,
      `Bearer ${signToken({ sub: 'mallory', roles: ['operator'] }, { alg: 'HS256', secret: 'not the secret at all, 32 bytes!' })}`,
      `Bearer ${tokenFor('operator', 'late', { ttlS: 1, nowS: Math.floor(Date.now() / 1000) - 3_600 })}`,
    ),
    roleTokens(['customer', 'operator']),
  );
  if (access === 'public') return junk;
  return fc.oneof({ weight: 4, arbitrary: roleTokens(access) }, { weight: 1, arbitrary: junk });
};

/** A path parameter: well formed, or odd (unicode, huge, traversal, bad percent-encoding). */
const pathParam = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(randomUUID(), 'SKU-001', 'index.html', 'app.js') },
  { weight: 3, arbitrary: oddStrings.map(encode) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%00', '..%2F..%2F', '%uD800') },
);

const queryString = (names: readonly string[]) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(...names, 'status', 'limit', 'cursor', 'token', 'target'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(oddStrings, fc.constantFrom('-5', '0', '99999999999', 'COMPLETED', 'true', '1.5')),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'));

/** One malformed request for the route. */
export function requestFor(route: FuzzRoute): fc.Arbitrary<FuzzRequest> {
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
  const body = hasBody
    ? fc.oneof(
        {
          weight: 4,
          arbitrary: mutatedBody(route.body).map(({ json, label }) => ({
            text: json === undefined ? undefined : JSON.stringify(json),
            label,
          })),
        },
        { weight: 2, arbitrary: brokenJson.map((text) => ({ text, label: 'broken JSON' })) },
        { weight: 1, arbitrary: fc.constant({ text: undefined, label: 'no body' }) },
      )
    : fc.oneof(
        { weight: 5, arbitrary: fc.constant({ text: undefined as string | undefined, label: 'no body' }) },
        { weight: 1, arbitrary: brokenJson.map((text) => ({ text, label: 'body on a GET' })) },
      );
  const params = (route.url.match(/:\w+|\*/g) ?? []).length;
  return fc
    .record({
      params: fc.array(pathParam, { minLength: params, maxLength: params }),
      query: fc.option(queryString(route.query), { nil: undefined }),
      contentType: fc.option(contentTypes, { nil: undefined }),
      authorization: authorization(route.access),
      body,
      // a request id header of any shape, and an odd extra header now and then
      extra: fc.option(
        fc.constantFrom<[string, string]>(
          ['x-request-id', 'not-a-uuid'],
          ['idempotency-key', ''],
          ['idempotency-key', 'k'.repeat(300)],
          ['accept', 'text/html'],
        ),
        { nil: undefined },
      ),
    })
    .map(({ params: values, query, contentType, authorization: auth, body: b, extra }) => {
      let i = 0;
      const path = route.url.replace(/:\w+|\*/g, () => values[i++] ?? '');
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth;
      if (contentType !== undefined && contentType !== '') headers['content-type'] = contentType;
      if (extra) headers[extra[0]] = extra[1];
      return {
        method: route.method,
        url: query === undefined ? path : `${path}?${query}`,
        headers,
        payload: b.text,
        label: `${b.label}; content-type ${contentType ?? 'none'}; ${auth === undefined ? 'no token' : auth.slice(0, 20)}`,
      };
    });
}
