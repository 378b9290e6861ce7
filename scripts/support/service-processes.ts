import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { perServiceEnv } from './service-env.ts';

export const repoRoot = new URL('../../', import.meta.url).pathname;

export const serviceEntryPoints = {
  orchestrator: 'orchestrator/main.ts',
  inventory: 'participants/inventory/main.ts',
  payment: 'participants/payment/main.ts',
  shipping: 'participants/shipping/main.ts',
} as const;
export type ServiceName = keyof typeof serviceEntryPoints;

/**
 * The notification service and the local stack's mail and SMS sinks: `npm start` and the e2e tests
 * start them besides the saga's services (startNotificationProcesses); the chaos run and the bench
 * do not (nothing of the saga waits for them).
 */
export const notificationEntryPoints = {
  notifications: 'participants/notifications/main.ts',
  'notification-sinks': 'scripts/notification-sinks.ts',
} as const;
export type NotificationProcessName = keyof typeof notificationEntryPoints;
/** Every process a launcher starts. */
export type ProcessName = ServiceName | NotificationProcessName;
const entryPoints: Record<ProcessName, string> = { ...serviceEntryPoints, ...notificationEntryPoints };

/**
 * Node flags each service runs with, wherever it is started (npm start, the tests, the bench, the
 * chaos check; docker-compose.yml and the Dockerfile repeat them, and test/docker-compose.unit.spec.ts
 * checks that they do).
 *
 * The orchestrator allocated ≈ 185 KB per saga (HTTP intake, XState's snapshots, outbox rows, produce
 * requests; ≈ 166 KB since ids are built without intermediate strings, 2026-12-04 (seventh)); with
 * V8's default young generation (16 MB semi-spaces) it scavenged every 50–90 ms at
 * 1000–1500 sagas/s, each time copying what was still in use. With 64 MB, in two sittings of six
 * interleaved pairs at saturation, its CPU per saga fell by ≈ 14 % (medians 0.355 and 0.36 → 0.30 and
 * 0.315 ms; lower in 10 of 12 pairs) and the system completed 4–6 % more sagas/s (more in 10 of 12,
 * sign test p = 0.04), for ≈ 110 MiB more resident memory at saturation; 128 MB gained nothing more
 * (bench/README.md, "Session of 2026-12-04 (sixth)"). The participants allocate a fraction of that
 * and keep V8's default: a larger young generation made them slower (payment and shipping,
 * 2026-12-04 (second)).
 */
export const serviceNodeFlags: Record<ProcessName, readonly string[]> = {
  orchestrator: ['--max-semi-space-size=64'],
  inventory: [],
  payment: [],
  shipping: [],
  notifications: [],
  'notification-sinks': [],
};

/** The arguments of `node` that run a service: its flags, extra ones (e.g. --cpu-prof), tsx, its entry point. */
export const serviceNodeArgs = (name: ProcessName, extraFlags: readonly string[] = []): string[] => [
  ...serviceNodeFlags[name],
  ...extraFlags,
  '--import',
  'tsx',
  entryPoints[name],
];

/** HTTP ports (the sinks' SMTP port is SINK_SMTP_PORT, default 2525). */
export const defaultPorts: Record<ProcessName, number> = {
  orchestrator: 3000,
  inventory: 3001,
  payment: 3002,
  shipping: 3003,
  notifications: 3004,
  'notification-sinks': 3005,
};
const portVariable: Record<ProcessName, string> = {
  orchestrator: 'ORCHESTRATOR_PORT',
  inventory: 'INVENTORY_PORT',
  payment: 'PAYMENT_PORT',
  shipping: 'SHIPPING_PORT',
  notifications: 'NOTIFICATIONS_PORT',
  'notification-sinks': 'SINK_HTTP_PORT',
};

const colours: Record<ProcessName, number> = {
  orchestrator: 36,
  inventory: 33,
  payment: 35,
  shipping: 32,
  notifications: 34,
  'notification-sinks': 90,
};

export type LogTarget = { kind: 'prefixed' } | { kind: 'files'; dir: string };

export interface ServiceProcess {
  name: ProcessName;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export const portsFrom = (env: NodeJS.ProcessEnv): Record<ServiceName, number> =>
  Object.fromEntries(
    (Object.keys(serviceEntryPoints) as ServiceName[]).map((name) => [
      name,
      Number(env[portVariable[name]] ?? defaultPorts[name]),
    ]),
  ) as Record<ServiceName, number>;

/**
 * The orchestrator's dashboard reads every service's GET /metrics on the ports this launcher gives
 * them (DASHBOARD_METRICS_URLS), unless the caller set the variable.
 */
export function dashboardMetricsEnv(name: ServiceName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (name !== 'orchestrator' || env.DASHBOARD_METRICS_URLS) return {};
  const urls = Object.entries(portsFrom(env)).map(
    ([service, port]) => `${service}=http://127.0.0.1:${port}/metrics`,
  );
  return { DASHBOARD_METRICS_URLS: urls.join(',') };
}

export const portOf = (name: ProcessName, env: NodeJS.ProcessEnv): number =>
  Number(env[portVariable[name]] ?? defaultPorts[name]);

/**
 * The notification service's SMTP server and SMS gateway are the sinks this launcher starts, unless
 * the caller set them.
 */
export function notificationSinkEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    SMTP_HOST: env.SMTP_HOST ?? '127.0.0.1',
    SMTP_PORT: env.SMTP_PORT ?? env.SINK_SMTP_PORT ?? '2525',
    SMS_GATEWAY_URL: env.SMS_GATEWAY_URL ?? `http://127.0.0.1:${portOf('notification-sinks', env)}/sms`,
  };
}

/** What a process gets besides the launcher's environment: its credentials, its wiring. */
function ownEnv(name: ProcessName, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  switch (name) {
    case 'notification-sinks':
      return {};
    case 'notifications':
      return { ...perServiceEnv(name, env), ...notificationSinkEnv(env) };
    case 'orchestrator':
    case 'inventory':
    case 'payment':
    case 'shipping':
      return { ...perServiceEnv(name, env), ...dashboardMetricsEnv(name, env) };
    default: {
      const unknown: never = name;
      throw new Error(`unknown process ${String(unknown)}`);
    }
  }
}

/** Starts one service as its own Node process (`node <its flags> --import tsx <entry>`). */
export function startService(
  name: ProcessName,
  env: NodeJS.ProcessEnv,
  logs: LogTarget,
  instance = '',
): ServiceProcess {
  const port = portOf(name, env);
  const child = spawn(process.execPath, serviceNodeArgs(name), {
    cwd: repoRoot,
    env: {
      ...env,
      ...ownEnv(name, env),
      LOG_FORMAT: env.LOG_FORMAT ?? (logs.kind === 'prefixed' ? 'pretty' : 'json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = `${name}${instance}`;
  if (logs.kind === 'files') {
    mkdirSync(logs.dir, { recursive: true });
    const file = createWriteStream(join(logs.dir, `${label}.log`), { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  } else {
    const prefix = `\u001b[${colours[name]}m[${label.padEnd(12)}]\u001b[0m `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, port, child, exited };
}

/** Every service (the orchestrator and the three participants), each as its own process. */
export const startAllServices = (env: NodeJS.ProcessEnv, logs: LogTarget): ServiceProcess[] =>
  (Object.keys(serviceEntryPoints) as ServiceName[]).map((name) => startService(name, env, logs));

/** The mail and SMS sinks and the notification service, each as its own process. */
export const startNotificationProcesses = (env: NodeJS.ProcessEnv, logs: LogTarget): ServiceProcess[] =>
  (['notification-sinks', 'notifications'] as const).map((name) => startService(name, env, logs));

/** Polls `GET /health/ready` until it answers 200, the process exits, or the deadline passes. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited)
      throw new Error(`${service.name} exited before it was ready (exit code ${service.child.exitCode})`);
    try {
      const response = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} not ready on port ${service.port} after ${timeoutMs} ms (last: ${last})`);
}

/** Resolves once every service is ready; rejects with the first that exits or is late. */
export async function waitUntilAllReady(services: readonly ServiceProcess[]): Promise<void> {
  await Promise.all(services.map((s) => waitUntilReady(s)));
}

/** Stops every service (those already stopped are skipped). */
export async function stopAllServices(services: readonly ServiceProcess[]): Promise<void> {
  await Promise.all(services.map((s) => stopService(s)));
}

/** SIGTERM, then SIGKILL if it has not exited after the grace period. */
export async function stopService(service: ServiceProcess, graceMs = 12_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}
