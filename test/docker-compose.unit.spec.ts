/**
 * docker-compose.yml cannot run here (no Docker engine): check its shape instead — every service,
 * the published ports, the environment each service reads, the start order and the healthchecks.
 *   node --import tsx --test test/docker-compose.unit.spec.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { kafkaOperatorPrincipal, kafkaServicePrincipals } from '../lib/kafka/acls.ts';
import { type ServiceName, serviceNodeArgs } from '../scripts/support/service-processes.ts';

type Service = {
  image?: string;
  build?: unknown;
  command?: string | string[];
  ports?: string[];
  environment?: Record<string, string | number> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string | string[] };
  entrypoint?: string | string[];
  volumes?: string[];
  profiles?: string[];
};
type Compose = { services: Record<string, Service> };

const file = new URL('../docker-compose.yml', import.meta.url);
// merge: true resolves the `<<: *anchor` keys the file uses, as docker compose does
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as Compose;
const services = compose.services;

const service = (name: string): Service => {
  const s = services[name];
  assert.ok(s, `service ${name} is missing`);
  return s;
};

const envOf = (s: Service): Record<string, string> => {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((kv) => [kv.split('=')[0] ?? kv, kv.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
};

const apps = {
  orchestrator: { port: 3000, portVar: 'ORCHESTRATOR_PORT', entry: 'orchestrator/main.ts' },
  inventory: { port: 3001, portVar: 'INVENTORY_PORT', entry: 'participants/inventory/main.ts' },
  payment: { port: 3002, portVar: 'PAYMENT_PORT', entry: 'participants/payment/main.ts' },
  shipping: { port: 3003, portVar: 'SHIPPING_PORT', entry: 'participants/shipping/main.ts' },
  notifications: { port: 3004, portVar: 'NOTIFICATIONS_PORT', entry: 'participants/notifications/main.ts' },
} as const;

const infraPorts = { kafka: '9092:9092', 'schema-registry': '8081:8080', postgres: '5432:5432' } as const;

/** Started only with `--profile observability` (docs/observability.md). */
const observability = ['prometheus', 'grafana'] as const;

test('names every service', () => {
  for (const name of [
    'kafka',
    'schema-registry',
    'postgres',
    'init',
    'notification-sinks',
    ...Object.keys(apps),
    ...observability,
  ])
    service(name);
});

test('infrastructure: images, published ports and settings', () => {
  for (const [name, mapping] of Object.entries(infraPorts)) {
    assert.ok(service(name).ports?.includes(mapping), `${name} publishes ${mapping}`);
  }
  assert.match(service('kafka').image ?? '', /^apache\/kafka:4\./);
  assert.match(service('schema-registry').image ?? '', /^apicurio\/apicurio-registry:3\./);
  assert.match(service('postgres').image ?? '', /^postgres:15/);

  const kafka = envOf(service('kafka'));
  assert.equal(kafka.KAFKA_AUTO_CREATE_TOPICS_ENABLE, 'false', 'topics are created by the project');
  assert.match(kafka.KAFKA_PROCESS_ROLES ?? '', /broker/);
  assert.match(kafka.KAFKA_PROCESS_ROLES ?? '', /controller/, 'KRaft single node');
  assert.match(kafka.KAFKA_ADVERTISED_LISTENERS ?? '', /kafka:29092/);
  assert.match(kafka.KAFKA_ADVERTISED_LISTENERS ?? '', /localhost:9092/);

  assert.equal(envOf(service('schema-registry')).APICURIO_RULES_GLOBAL_COMPATIBILITY, 'BACKWARD');

  const pg = envOf(service('postgres'));
  assert.equal(pg.POSTGRES_DB, 'order_saga');
  assert.equal(pg.POSTGRES_HOST_AUTH_METHOD, 'scram-sha-256', 'passwords are checked');
  assert.match(pg.POSTGRES_PASSWORD ?? '', requiredVariable('POSTGRES_PASSWORD'));
});

test('every service has a healthcheck (init is a one-shot job)', () => {
  for (const [name, s] of Object.entries(services)) {
    if (name === 'init') continue;
    assert.ok(s.healthcheck?.test, `${name} has a healthcheck`);
  }
  for (const [name, { port }] of Object.entries(apps)) {
    const probe = [service(name).healthcheck?.test ?? []].flat().join(' ');
    assert.ok(probe.includes(`:${port}/health/ready`), `${name} probes GET /health/ready on ${port}`);
  }
});

test('each app service is built from the Dockerfile, runs its entry point with its node flags and publishes its port', () => {
  for (const [name, { port, entry }] of Object.entries(apps)) {
    const s = service(name);
    assert.ok(s.build !== undefined, `${name} is built from the Dockerfile`);
    assert.ok(Array.isArray(s.command), `${name}'s command is an exec-form list`);
    assert.deepEqual(
      s.command,
      ['node', ...serviceNodeArgs(name as ServiceName)],
      `${name} runs node with the flags of scripts/support/service-processes.ts, --import tsx, ${entry}`,
    );
    assert.ok(s.ports?.includes(`${port}:${port}`), `${name} publishes ${port}:${port}`);
  }
});

test("the Dockerfile's default command is the orchestrator's, with its node flags", () => {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
  assert.ok(cmd, 'the Dockerfile has a CMD');
  assert.deepEqual(JSON.parse(cmd.slice('CMD '.length)), ['node', ...serviceNodeArgs('orchestrator')]);
});

test('each app service sets every env variable the code reads', () => {
  for (const [name, { port, portVar }] of Object.entries(apps)) {
    const env = envOf(service(name));
    assert.equal(env.KAFKA_BROKERS, 'kafka:29092', `${name} KAFKA_BROKERS`);
    assert.equal(
      env.SCHEMA_REGISTRY_URL,
      'http://schema-registry:8080/apis/ccompat/v7',
      `${name} SCHEMA_REGISTRY_URL`,
    );
    assert.equal(env[portVar], String(port), `${name} ${portVar}`);
    assert.equal(env.HOST, '0.0.0.0', `${name} HOST`);
    assert.ok(env.LOG_LEVEL, `${name} LOG_LEVEL`);
  }
  const init = envOf(service('init'));
  for (const key of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'TOPIC_PARTITIONS']) {
    assert.ok(init[key], `init ${key}`);
  }
});

/** A `${NAME:?message}` interpolation: compose refuses to start without NAME; nothing is committed. */
function requiredVariable(name: string): RegExp {
  return new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`);
}

/** user, password and database of a compose DATABASE_URL (its password is an interpolation). */
function databaseLogin(url: string | undefined): { user: string; password: string; database: string } {
  const match = /^postgres:\/\/([^:@]+):(\$\{[^}]+\})@postgres:5432\/([a-z_]+)$/.exec(url ?? '');
  assert.ok(match?.[1] && match[2] && match[3], `DATABASE_URL ${url} has a user, a password and a database`);
  return { user: match[1], password: match[2], database: match[3] };
}

test('each app service logs into PostgreSQL as its own role; init migrates as the owner and gives the roles their passwords', () => {
  for (const name of Object.keys(apps)) {
    const variable = `${name.toUpperCase()}_DB_PASSWORD`;
    const login = databaseLogin(envOf(service(name)).DATABASE_URL);
    assert.equal(login.user, `order_saga_${name}`, `${name} connects as order_saga_${name}`);
    assert.match(login.password, requiredVariable(variable), `${name}'s password is ${variable}`);
    assert.equal(login.database, 'order_saga');
    assert.match(
      envOf(service('init'))[variable] ?? '',
      requiredVariable(variable),
      `init provisions ${variable}`,
    );
    assert.equal(envOf(service(name))[variable], undefined, `${name} does not see its password twice`);
  }
  const owner = databaseLogin(envOf(service('init')).DATABASE_URL);
  assert.equal(owner.user, 'postgres', 'migrations run as the owner');
  assert.match(owner.password, requiredVariable('POSTGRES_PASSWORD'));
});

test('start order: init waits for healthy infrastructure, apps wait for init', () => {
  const conditions = (s: Service): Record<string, string> => {
    const deps = s.depends_on ?? {};
    assert.ok(!Array.isArray(deps), 'depends_on uses conditions');
    return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
  };
  const initCmd = [service('init').command ?? []].flat().join(' ');
  assert.match(initCmd, /scripts\/create-topics\.ts/);
  assert.match(initCmd, /scripts\/migrate\.ts/);
  const initDeps = conditions(service('init'));
  for (const infra of Object.keys(infraPorts))
    assert.equal(initDeps[infra], 'service_healthy', `init → ${infra}`);
  for (const name of Object.keys(apps)) {
    const deps = conditions(service(name));
    assert.equal(deps.init, 'service_completed_successfully', `${name} → init`);
    for (const infra of Object.keys(infraPorts))
      assert.equal(deps[infra], 'service_healthy', `${name} → ${infra}`);
  }
});

test('Kafka security is in step with scripts/stack.sh: SASL/SCRAM, the authorizer, no access without an ACL', () => {
  const kafka = service('kafka');
  const env = envOf(kafka);
  const protocols = (env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').map((m) => m.split(':')[1]);
  assert.deepEqual([...new Set(protocols)], ['SASL_PLAINTEXT'], 'every listener authenticates');
  assert.equal(env.KAFKA_SASL_ENABLED_MECHANISMS, 'SCRAM-SHA-512');
  assert.equal(env.KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL, 'SCRAM-SHA-512');
  assert.equal(
    env.KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL,
    'PLAIN',
    'KRaft: no SCRAM on the controller listener',
  );
  assert.equal(env.KAFKA_AUTHORIZER_CLASS_NAME, 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  assert.equal(env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND, 'false');
  assert.deepEqual((env.KAFKA_SUPER_USERS ?? '').split(';').sort(), [
    'User:admin',
    'User:broker',
    'User:controller',
  ]);

  // scripts/stack.sh's parts: the broker's configuration, and the SCRAM users' names
  const stackScript = ['kafka-config.sh', 'secrets.sh']
    .map((part) => readFileSync(new URL(`../scripts/stack/${part}`, import.meta.url), 'utf8'))
    .join('\n');
  const startScript = readFileSync(new URL('../infra/kafka/compose-start.sh', import.meta.url), 'utf8');
  for (const line of [
    `authorizer.class.name=${env.KAFKA_AUTHORIZER_CLASS_NAME}`,
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:admin;User:broker;User:controller`,
    'sasl.mechanism.controller.protocol=PLAIN',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
  ]) {
    assert.ok(stackScript.includes(line), `scripts/stack.sh sets ${line}`);
  }
  // the SCRAM users: the same principals in stack.sh, the compose start script and lib/kafka/acls.ts
  const users = ['admin', ...kafkaServicePrincipals, kafkaOperatorPrincipal];
  // stack.sh formats the storage with the first ones and adds the later ones through the broker
  const formatted = /KAFKA_CLIENT_PRINCIPALS=\(([^)]*)\)/.exec(stackScript)?.[1]?.split(' ') ?? [];
  const added = /KAFKA_ADDED_PRINCIPALS=\(([^)]*)\)/.exec(stackScript)?.[1]?.split(' ') ?? [];
  assert.deepEqual([...formatted, ...added], users);
  assert.match(startScript, new RegExp(`principals=\\(broker ${users.join(' ')}\\)`));
  assert.deepEqual(kafka.entrypoint, ['bash', '/order-saga/compose-start.sh']);
  assert.ok(kafka.volumes?.includes('./infra/kafka/compose-start.sh:/order-saga/compose-start.sh:ro'));
  assert.match(
    [kafka.healthcheck?.test ?? []].flat().join(' '),
    /--command-config \/tmp\/order-saga\/admin.properties/,
  );

  // passwords come from the environment, none is committed
  const fromEnvironment = (value: string | undefined, variable: string) =>
    assert.match(value ?? '', new RegExp(`^\\$\\{${variable}:\\?`), `${variable} comes from the environment`);
  for (const user of ['broker', ...users]) {
    fromEnvironment(env[`SCRAM_PASSWORD_${user.toUpperCase()}`], `KAFKA_${user.toUpperCase()}_PASSWORD`);
  }
  fromEnvironment(env.CONTROLLER_PASSWORD, 'KAFKA_CONTROLLER_PASSWORD');
});

test('each app service is its own Kafka principal; init is the admin', () => {
  for (const name of Object.keys(apps)) {
    const env = envOf(service(name));
    assert.equal(env.KAFKA_USERNAME, name, `${name} KAFKA_USERNAME`);
    assert.match(env.KAFKA_PASSWORD ?? '', new RegExp(`^\\$\\{KAFKA_${name.toUpperCase()}_PASSWORD:\\?`));
    assert.equal(env.KAFKA_SASL_MECHANISM, 'scram-sha-512', `${name} KAFKA_SASL_MECHANISM`);
    assert.equal(env.KAFKA_SECURITY_PROTOCOL, undefined, `${name} does not opt out of SASL`);
  }
  const init = envOf(service('init'));
  assert.equal(init.KAFKA_USERNAME, 'admin');
  assert.match(init.KAFKA_PASSWORD ?? '', /^\$\{KAFKA_ADMIN_PASSWORD:\?/);
});

const readYaml = <T>(path: string): T =>
  parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')) as T;

test('profile observability: Prometheus scrapes GET /metrics of every app service; the rest starts without it', () => {
  for (const [name, s] of Object.entries(services)) {
    const inProfile = (observability as readonly string[]).includes(name);
    assert.deepEqual(s.profiles, inProfile ? ['observability'] : undefined, `${name}'s profiles`);
  }
  const prometheus = service('prometheus');
  assert.match(prometheus.image ?? '', /^prom\/prometheus:v3\./);
  assert.ok(prometheus.ports?.includes('9090:9090'));
  assert.ok(
    prometheus.volumes?.includes('./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro'),
  );
  type ScrapeConfig = { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] };
  const config = readYaml<{ scrape_configs: ScrapeConfig[] }>('infra/prometheus/prometheus.yml');
  const jobs = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job]));
  for (const [name, { port }] of Object.entries(apps)) {
    const job = jobs[name];
    assert.ok(job, `Prometheus has a job ${name}`);
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    assert.deepEqual(
      job.static_configs.flatMap((c) => c.targets),
      [`${name}:${port}`],
      `${name} is scraped on ${port}`,
    );
  }
});

test('profile observability: Grafana, read-only, with Prometheus as data source and the dashboard provisioned', () => {
  const grafana = service('grafana');
  assert.match(grafana.image ?? '', /^grafana\/grafana:/);
  assert.ok(grafana.ports?.includes('3100:3000'), 'Grafana on 3100 (3000 is the orchestrator)');
  const env = envOf(grafana);
  assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
  assert.equal(env.GF_AUTH_DISABLE_LOGIN_FORM, 'true', 'no sign-in with the default admin password');
  assert.equal(env.GF_AUTH_BASIC_ENABLED, 'false');
  const mounts = Object.fromEntries((grafana.volumes ?? []).map((v) => [v.split(':')[1], v.split(':')[0]]));
  assert.equal(mounts['/etc/grafana/provisioning'], './infra/grafana/provisioning');
  assert.equal(mounts['/var/lib/grafana/dashboards'], './infra/grafana/dashboards');

  type DataSources = { datasources: { uid: string; type: string; url: string }[] };
  const [source] = readYaml<DataSources>('infra/grafana/provisioning/datasources/prometheus.yml').datasources;
  assert.deepEqual(
    { uid: source?.uid, type: source?.type, url: source?.url },
    { uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' },
  );
  type Providers = { providers: { type: string; options: { path: string } }[] };
  const [provider] = readYaml<Providers>('infra/grafana/provisioning/dashboards/dashboards.yml').providers;
  assert.equal(provider?.options.path, '/var/lib/grafana/dashboards');
  const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
  assert.ok(home.startsWith('/var/lib/grafana/dashboards/'), 'the home dashboard is a provisioned one');
  assert.ok(existsSync(new URL(`../infra/grafana/dashboards/${home.split('/').at(-1)}`, import.meta.url)));
  assert.deepEqual(service('grafana').depends_on, { prometheus: { condition: 'service_healthy' } });
});
