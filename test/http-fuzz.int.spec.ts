/**
 * Property-based fuzzing of every route of the four services (fast-check): at least 1,000 generated
 * malformed requests through each service's real app (buildApp, inject) on a real database, with
 * valid tokens of the roles each route allows so most requests reach validation, and some without
 * or with bad ones. No answer is a 5xx; every 4xx is a JSON error body that names what is wrong
 * (`namesWhatIsWrong`). The routes come from the apps themselves (the route access list), so a new
 * route is fuzzed without an edit here. Seeded: the seed is printed, FUZZ_SEED=<n> replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { routeAccessList } from '../lib/http/auth.ts';
import { buildServiceApp, serviceNames } from './auth/service-apps.ts';
import {
  type FuzzRequest,
  type FuzzRoute,
  type JsonSchema,
  requestFor,
} from './support/http-fuzz-requests.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from './support/throwaway-database.ts';
import { testAuthConfig } from './support/tokens.ts';

const seed = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
/** Requests per route and method (at least), and in all. */
const runsPerRoute = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 12);
const minimumRequests = 1_000;

interface OpenApi {
  paths?: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        parameters?: Array<{ in: string; name: string }>;
      }
    >
  >;
}

/** Every route of an app with its access, and the body schema and query names its OpenAPI entry documents. */
function fuzzRoutes(app: FastifyInstance): FuzzRoute[] {
  const document = app.swagger() as OpenApi;
  return routeAccessList(app).map(({ method, url, access }) => {
    const openApiPath = url.replace(/:(\w+)/g, '{$1}');
    const operation = document.paths?.[openApiPath]?.[method.toLowerCase()];
    return {
      method,
      url,
      access,
      body: operation?.requestBody?.content?.['application/json']?.schema,
      query: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    };
  });
}

/**
 * The rule for a 4xx body: JSON `{ statusCode, error, message }` with the answer's status, and a
 * message that names what is wrong — a name the route declares (path or query parameter, body
 * field), a part of the request (`body…`, `params…`, `querystring…`,
 * `headers…`), a header (Authorization, Content-Type, Idempotency-Key), the token or the role it
 * lacks, the route that does not exist, the resource that does not exist, or the JSON or media type
 * that cannot be read.
 */
const resource = /\b(order|orders|sku|payment|shipment|file|saga|route)\b/i;
const absent = /\b(not found|unknown|not in|no such|does not exist)\b|^no \w+ for\b/i;
const namingRules: ReadonlyArray<[string, (message: string) => boolean]> = [
  ['a request part', (m) => /\b(body|params|querystring|headers)\b(\.|\[| )/.test(m)],
  ['a header', (m) => /\b(authorization|content-type|idempotency-key|x-dashboard-request)\b/i.test(m)],
  ['the token', (m) => /\btoken\b/i.test(m)],
  ['the role', (m) => /\brole\b/.test(m)],
  ['the resource that does not exist', (m) => resource.test(m) && absent.test(m)],
  ['the URL, path or parameter', (m) => /\b(url|path|param|parameter)\b/i.test(m)],
  ['the method and path', (m) => /\b(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS):? \/\S*/.test(m)],
  ['the JSON', (m) => /\bJSON\b/.test(m)],
  ['the media type', (m) => /media type|content type/i.test(m)],
];

/** The names a route declares: its path parameters, query parameters and body fields (at any depth). */
function declaredNames(route: FuzzRoute): string[] {
  const fields = (schema: JsonSchema | undefined): string[] =>
    schema === undefined
      ? []
      : [
          ...Object.entries(schema.properties ?? {}).flatMap(([name, property]) => [
            name,
            ...fields(property),
          ]),
          ...fields(schema.items),
        ];
  const params = (route.url.match(/:\w+/g) ?? []).map((p) => p.slice(1));
  return [...params, ...route.query, ...fields(route.body)];
}

function namesWhatIsWrong(message: unknown, route: FuzzRoute): string | null {
  if (typeof message !== 'string' || message.trim() === '') return null;
  if (declaredNames(route).some((name) => new RegExp(`\\b${name}\\b`).test(message)))
    return 'a declared name';
  return namingRules.find(([, names]) => names(message))?.[0] ?? null;
}

/** FUZZ_SURVEY=1: record every failing request instead of stopping at the first (to fix many at once). */
const survey = process.env.FUZZ_SURVEY === '1';
const surveyed = new Set<string>();

let database: ThrowawayDatabase;
let requests = 0;
/** Answers by status, and by the rule their message met: shows the requests reach validation. */
const answers = new Map<string, number>();
const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
before(async () => {
  database = await createThrowawayDatabase({ poolMax: 5 });
  console.log(`# http fuzz: FUZZ_SEED=${seed} (set it to replay this run)`);
});
after(async () => {
  await database.drop();
  console.log(`# http fuzz: ${requests} requests`);
  console.log(
    `# http fuzz: ${[...answers]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  for (const failure of surveyed) console.log(`# survey: ${failure.replaceAll('\n', ' ')}`);
});

async function check(app: FastifyInstance, route: FuzzRoute, request: FuzzRequest): Promise<void> {
  requests++;
  const response = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  const where = `${request.method} ${request.url.slice(0, 200)} (${request.label}) → ${response.statusCode} ${response.body.slice(0, 300)}`;
  assert.ok(response.statusCode < 500, `no 5xx: ${where}`);
  count(String(response.statusCode));
  if (response.statusCode < 400 || request.method === 'HEAD') return;
  let body: { statusCode?: unknown; message?: unknown };
  try {
    body = response.json();
  } catch {
    assert.fail(`a 4xx body is JSON: ${where}`);
  }
  assert.equal(body.statusCode, response.statusCode, `statusCode in the body: ${where}`);
  const rule = namesWhatIsWrong(body.message, route);
  assert.ok(rule !== null, `the message names what is wrong: ${where}`);
  count(rule);
}

for (const service of serviceNames) {
  describe(`${service}: fuzzed requests`, () => {
    let app: FastifyInstance;
    before(async () => {
      app = await buildServiceApp(service, database, testAuthConfig({ faultsEnabled: true }));
    });
    after(async () => app.close());

    test('every route and method: no 5xx, every 4xx names what is wrong', async () => {
      const routes = fuzzRoutes(app);
      assert.ok(routes.length > 0);
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...routes)
            .chain((route) => requestFor(route).map((request) => ({ route, request }))),
          async ({ route, request }) => {
            if (!survey) return check(app, route, request);
            await check(app, route, request).catch((error: unknown) =>
              surveyed.add(String(error).slice(0, 700)),
            );
          },
        ),
        {
          seed: seed + serviceNames.indexOf(service),
          numRuns: routes.length * runsPerRoute,
          includeErrorInReport: true,
        },
      );
    });
  });
}

test('at least 1,000 requests were sent, most got past authentication, and validation refused some', () => {
  assert.ok(requests >= minimumRequests, `${requests} requests`);
  const refusedByAuth = (answers.get('401') ?? 0) + (answers.get('403') ?? 0);
  assert.ok(refusedByAuth < requests / 3, `${refusedByAuth} of ${requests} refused by auth`);
  const named = (answers.get('a request part') ?? 0) + (answers.get('a declared name') ?? 0);
  assert.ok(named > requests / 40, `${named} answers named the field or parameter at fault`);
});
