/**
 * `npm run chaos -- [--seed N] [--orders N] [--kills N] [--broker-restarts N] [--instances 2] …`
 *
 * Runs N instances of every service in the same consumer groups, on a database, topics and consumer
 * groups of its own, drives a seeded mix of orders through the HTTP API (paced over --duration-s),
 * kills service instances with SIGKILL and restarts the Kafka broker at seeded moments, silences one
 * participant for one command in seeded windows, waits for quiescence and checks the saga's
 * invariants. Exit code 0 only without violations. chaos/README.md explains every choice.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createDatabase, type Knex } from '../lib/db/database.ts';
import { Prng } from '../lib/random/prng.ts';
import { localKafkaAdminConnection } from '../scripts/support/kafka-env.ts';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import { localBearer } from '../scripts/support/local-tokens.ts';
import { repoRoot, type ServiceName } from '../scripts/support/service-processes.ts';
import type { CheckResult, Disruption } from './checks/check-result.ts';
import { runChecks } from './checks/run-checks.ts';
import { Cluster, type Instance, type ParticipantName, serviceNames } from './cluster.ts';
import { OrderDriver, type PlacedOrder } from './driver.ts';
import {
  type ChaosEnvironment,
  consumerLag,
  createTopics,
  deadLetterCounts,
  deleteTopicsAndGroups,
  dropDatabase,
  freshDatabase,
} from './environment.ts';
import {
  type ChaosOptions,
  compensationBudgetMs,
  forwardBudgetMs,
  parseOptions,
  reproduceCommand,
  UsageError,
  usage,
} from './options.ts';
import { type OrderKind, orderBody, type RegularKind, regularMix, totalOf } from './order-mix.ts';
import { OrderMonitor } from './order-monitor.ts';
import { scanReplies } from './reply-scan.ts';

// ---------------------------------------------------------------------------------------------
// options, identity of the run, output

let options: ChaosOptions;
try {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage());
    process.exit(0);
  }
  options = parseOptions(process.argv.slice(2), () => Math.floor(Math.random() * 1_000_000));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`chaos: ${error.message}\n${usage()}`);
    process.exit(2);
  }
  throw error;
}
const o = options;
// Idempotent and quick when the stack is up; SKIP_STACK=1 to use infrastructure you run yourself.
ensureLocalStackOrExit((message) => console.error(`chaos: ${message}`));
const startedAt = Date.now();
const runId = `${o.seed}-${startedAt.toString(36)}`;
const logDir = join(repoRoot, '.stack', 'chaos-logs', runId);
mkdirSync(logDir, { recursive: true });
const eventsFile = join(logDir, 'events.log');
const command = reproduceCommand(o);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const elapsed = (from = startedAt) => seconds(Date.now() - from);
function say(message: string, detail?: Record<string, unknown>): void {
  console.log(`[chaos +${elapsed().padStart(7)}] ${message}`);
  appendFileSync(eventsFile, `${JSON.stringify({ at: new Date().toISOString(), message, ...detail })}\n`);
}

const baseDatabaseUrl =
  process.env.CHAOS_DATABASE_URL ??
  process.env.DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/order_saga';
const databaseName = `order_saga_chaos_${o.seed}`;
const databaseUrl = (() => {
  const url = new URL(baseDatabaseUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();
const adminConnection = localKafkaAdminConnection();
const env: ChaosEnvironment = {
  runId,
  databaseName,
  databaseUrl,
  topicPrefix: `chaos-${runId}.`,
  groupIdSuffix: `-chaos-${runId}`,
  brokers: [...adminConnection.brokers],
  kafkaSecurity: adminConnection.security,
  partitions: o.partitions,
};
const checkGroupId = `chaos-check-${runId}`;

const serviceEnv: NodeJS.ProcessEnv = {
  ...process.env,
  TOPIC_PREFIX: env.topicPrefix,
  DATABASE_URL: databaseUrl,
  KAFKA_GROUP_ID_SUFFIX: env.groupIdSuffix,
  SAGA_STEP_TIMEOUT_MS: String(o.stepTimeoutMs),
  SAGA_BACKOFF_MULTIPLIER: String(o.backoffMultiplier),
  SAGA_MAX_STEP_TIMEOUT_MS: String(o.maxStepTimeoutMs),
  SAGA_FORWARD_ATTEMPTS: String(o.forwardAttempts),
  SAGA_COMPENSATION_ATTEMPTS: String(o.compensationAttempts),
  SAGA_SWEEP_INTERVAL_MS: '200',
  DB_POOL_MAX: String(o.dbPoolMax),
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  // Silent windows switch the participants' faults (operator token, setFault below).
  FAULTS_ENABLED: 'true',
};

// ---------------------------------------------------------------------------------------------
// the plan: everything random is decided here, from the seed, before anything runs

type SilencedCommand = 'ReserveStock' | 'ProcessPayment' | 'ScheduleShipping';
const silencedParticipant: Record<SilencedCommand, ParticipantName> = {
  ReserveStock: 'inventory',
  ProcessPayment: 'payment',
  ScheduleShipping: 'shipping',
};
/** Saga states in which an order may still need the command (it must not meet the silence). */
const statesUpTo: Record<SilencedCommand, readonly string[]> = {
  ReserveStock: ['reservingStock'],
  ProcessPayment: ['reservingStock', 'processingPayment'],
  ScheduleShipping: ['reservingStock', 'processingPayment', 'schedulingShipping'],
};
/** Regular kinds whose saga sends the command: they are held back while it is silenced. */
const kindsReaching: Record<SilencedCommand, readonly RegularKind[]> = {
  ReserveStock: ['happy', 'declined', 'out_of_stock', 'unserved'],
  ProcessPayment: ['happy', 'declined', 'unserved'],
  ScheduleShipping: ['happy', 'unserved'],
};

/** Times are milliseconds after the drive starts. */
interface KillPlan {
  at: number;
  victim: string;
  downMs: number;
}
interface WindowPlan {
  at: number;
  command: SilencedCommand;
  orders: number;
}

const durationMs = o.durationS * 1000;
const planRandom = new Prng(o.seed);
const kindRandom = planRandom.fork();
const chaosRandom = planRandom.fork();
const windowRandom = planRandom.fork();
const windows = Math.min(o.silentWindows, Math.floor(o.orders / (o.silentOrders * 4)));
const regularCount = o.orders - windows * o.silentOrders;
const regularKinds: RegularKind[] = Array.from({ length: regularCount }, () =>
  kindRandom.weighted(regularMix),
);
const instanceLabels = Array.from({ length: o.instances }, (_, i) =>
  serviceNames.map((s) => `${s}-${i + 1}`),
).flat();
const killPlans: KillPlan[] = Array.from({ length: o.kills }, () => ({
  at: Math.round(durationMs * (0.03 + 0.87 * chaosRandom.next())),
  victim: chaosRandom.pick(instanceLabels),
  downMs: chaosRandom.int(300, 5_000),
})).sort((a, b) => a.at - b.at);
const brokerPlans: number[] = Array.from({ length: o.brokerRestarts }, () =>
  Math.round(durationMs * (0.15 + 0.65 * chaosRandom.next())),
).sort((a, b) => a - b);
const windowCommands: SilencedCommand[] = ['ScheduleShipping', 'ProcessPayment', 'ReserveStock'];
const firstWindowCommand = windowRandom.int(0, windowCommands.length - 1);
const windowPlans: WindowPlan[] = Array.from({ length: windows }, (_, w) => ({
  at: Math.round(durationMs * (0.05 + (0.8 * (w + windowRandom.next())) / windows)),
  command: windowCommands[(firstWindowCommand + w) % windowCommands.length] as SilencedCommand,
  orders: o.silentOrders,
}));
const bodyRandom = (n: number) => new Prng((o.seed ^ Math.imul(n, 0x9e3779b1)) >>> 0);

// ---------------------------------------------------------------------------------------------
// run state

const abort = new AbortController();
const { signal } = abort;
// every pending chaos event waits on it (dozens of kills): not a leak
setMaxListeners(0, signal);
class Aborted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Aborted';
  }
}
/** Rejects with Aborted when the run is interrupted; the abort listener never outlives the wait. */
const sleep = (ms: number) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

const cluster = new Cluster({
  instances: o.instances,
  basePort: o.basePort,
  env: serviceEnv,
  logDir,
  onEvent: say,
});
let db = null as Knex | null;
let monitor = null as OrderMonitor | null;
let driveStart = 0;
const sinceDrive = () => seconds(Date.now() - driveStart);
const placed: PlacedOrder[] = [];
const findings: string[] = [];
/** Slow recoveries that are not violations (the instance did come back by itself). */
const availability: string[] = [];
/** How long restarted instances took to answer HTTP, when over 20 s (runService listens after the consumer joined). */
const slowLive: number[] = [];
/** Periods in which a service's consumer group (or, for the broker, every group) could not make progress. */
const disruptions: Disruption[] = [];
interface KillRecord {
  victim: string;
  planned: string;
  downMs: number;
  at: string;
  readyAfterMs: number | null;
  note: string;
}
const killRecords: KillRecord[] = [];
interface BrokerRecord {
  at: string;
  restartMs: number;
  allReadyAfterMs: number | null;
  exitsDuring: number;
}
const brokerRecords: BrokerRecord[] = [];
interface WindowRecord {
  command: SilencedCommand;
  at: string;
  orders: number;
  drainMs: number;
  silentMs: number;
  completed: boolean;
}
const windowRecords: WindowRecord[] = [];
const background: Promise<unknown>[] = [];
let restartingBroker: Promise<unknown> | null = null;
let laneError: unknown = null;
let databaseCreated = false;

/** Wakes the workers waiting for a change (a window opened or closed). */
let wakers: Array<() => void> = [];
const notify = () => {
  const list = wakers;
  wakers = [];
  for (const wake of list) wake();
};
const changed = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wakers.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });

const queue = regularKinds.map((kind, i) => ({ n: i + 1, kind }));
let taken = 0;
const blocked = new Set<OrderKind>();
const inFlightKinds = new Map<number, OrderKind>();
const kindByOrderId = new Map<string, OrderKind>();
/** Instances between their kill -9 and answering HTTP again. */
const down = new Set<string>();
/** The participant silenced by the current window (from the start of its drain to its end). */
let silencedNow: ParticipantName | null = null;

/**
 * The next regular order: paced (order k not before k × duration / orders after the drive started),
 * skipping kinds a silent window holds back (they wait at the head of the queue).
 */
async function takeOrder(): Promise<{ n: number; kind: RegularKind } | null> {
  for (;;) {
    if (signal.aborted) throw new Aborted();
    if (queue.length === 0) return null;
    const index = queue.findIndex((item) => !blocked.has(item.kind));
    if (index < 0) {
      await changed(500);
      continue;
    }
    const due = driveStart + (taken * durationMs) / regularCount;
    if (Date.now() < due) {
      await changed(Math.min(500, due - Date.now()));
      continue;
    }
    taken += 1;
    return queue.splice(index, 1)[0] ?? null;
  }
}

const orderTimeoutMs = 2 * (forwardBudgetMs(o) + compensationBudgetMs(o)) + 60_000;

function newPlaced(n: number, kind: OrderKind): PlacedOrder {
  const body = orderBody(kind, n, runId, bodyRandom(n));
  const order: PlacedOrder = {
    n,
    kind,
    key: `chaos-${runId}-${n}`,
    body,
    total: totalOf(body),
    orderIds: new Set(),
    attempts: 0,
    failures: [],
    placedAt: null,
    gaveUp: null,
  };
  placed.push(order);
  return order;
}

async function placeAndWatch(driver: OrderDriver, order: PlacedOrder): Promise<string | null> {
  inFlightKinds.set(order.n, order.kind);
  try {
    await driver.place(order, driver.nextInstance());
  } finally {
    inFlightKinds.delete(order.n);
  }
  const [orderId] = order.orderIds;
  if (order.gaveUp !== null || orderId === undefined) {
    if (!signal.aborted) say(`order #${order.n} (${order.kind}) could not be placed: ${order.gaveUp}`);
    return null;
  }
  kindByOrderId.set(orderId, order.kind);
  monitor?.watch(orderId);
  return orderId;
}

async function worker(driver: OrderDriver): Promise<void> {
  for (;;) {
    const item = await takeOrder();
    if (item === null) return;
    const order = newPlaced(item.n, item.kind);
    const orderId = await placeAndWatch(driver, order);
    if (orderId === null || !monitor) continue;
    if (!(await monitor.waitTerminal(orderId, orderTimeoutMs)) && !signal.aborted)
      say(
        `order ${orderId} (#${order.n}, ${order.kind}) still pending after ${seconds(orderTimeoutMs)}; moving on`,
      );
  }
}

async function sleepUntilDrive(at: number): Promise<void> {
  const wait = driveStart + at - Date.now();
  if (wait > 0) await sleep(wait);
}

// ---------------------------------------------------------------------------------------------
// kills

const victimFor = (planned: string): string => {
  const [service, index] = planned.split('-') as [ServiceName, string];
  if (service !== silencedNow) return planned;
  // the silenced participant's instances must keep their fault: the same instance of the next service
  const next = serviceNames[(serviceNames.indexOf(service) + 1) % serviceNames.length];
  return `${next}-${index}`;
};

/** Milliseconds until the instance answers /health/ready; null if it did not, or was restarted meanwhile. */
async function readyAfter(instance: Instance, timeoutMs: number): Promise<number | null> {
  const from = Date.now();
  const generation = instance.starts;
  while (Date.now() - from < timeoutMs && !signal.aborted && instance.starts === generation) {
    if (await cluster.probe(instance, '/health/ready')) return Date.now() - from;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

async function killEvent(plan: KillPlan, number: number): Promise<void> {
  await sleepUntilDrive(plan.at);
  // No await between choosing the victim and marking it down: a silent window starting meanwhile
  // must see it (and wait for it) or must have redirected the kill.
  let label = victimFor(plan.victim);
  const waitFrom = Date.now();
  while (down.has(label) || !cluster.alive(cluster.get(label))) {
    if (Date.now() - waitFrom > 120_000) {
      findings.push(`kill ${number}: ${label} was not running for 120 s; kill skipped`);
      return;
    }
    await sleep(250);
    label = victimFor(plan.victim);
  }
  down.add(label);
  const instance = cluster.get(label);
  const from = Date.now();
  const disruption: Disruption = { what: `kill -9 ${label}`, services: [instance.service], from, to: null };
  disruptions.push(disruption);
  const record: KillRecord = {
    victim: label,
    planned: plan.victim,
    downMs: plan.downMs,
    at: sinceDrive(),
    readyAfterMs: null,
    note: '',
  };
  killRecords.push(record);
  try {
    say(
      `kill ${number}/${o.kills}: kill -9 ${label} (pid ${instance.process?.child.pid}), back in ${plan.downMs} ms`,
      { planned: plan.victim },
    );
    await cluster.kill(instance);
    await sleep(plan.downMs);
    cluster.start(instance);
    const liveFrom = Date.now();
    if (!(await cluster.waitLive(instance, 60_000))) {
      availability.push(
        `${label} (kill ${number}) did not answer HTTP within 60 s of its restart (log ${relative(repoRoot, cluster.logOf(instance))})`,
      );
    } else if (Date.now() - liveFrom > 20_000) {
      slowLive.push(Date.now() - liveFrom);
    }
  } finally {
    down.delete(label);
  }
  const generation = instance.starts;
  background.push(
    readyAfter(instance, 240_000).then((ms) => {
      if (ms !== null) {
        record.readyAfterMs = Date.now() - from;
        disruption.to = Date.now();
      } else if (!signal.aborted && (instance.starts !== generation || !cluster.alive(instance))) {
        record.note = 'killed again before it was ready';
        disruption.to = Date.now();
      } else if (!signal.aborted) {
        record.note = 'not ready within 240 s';
        findings.push(`${label} not ready within 240 s after its restart (log ${cluster.logOf(instance)})`);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// broker restarts

function runStack(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Own process group: a Ctrl-C in the terminal must not interrupt a broker restart half-way.
    const child = spawn('bash', [join(repoRoot, 'scripts', 'stack.sh'), ...args], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function describeNotReady(labels: readonly string[]): Promise<string[]> {
  return Promise.all(
    labels.map(async (label) => {
      const instance = cluster.get(label);
      try {
        const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        return `${label}: ${response.status} ${await response.text()}`;
      } catch (error) {
        return `${label}: ${(error as Error).message}`;
      }
    }),
  );
}

async function brokerRestartEvent(number: number): Promise<void> {
  say(`broker restart ${number}/${o.brokerRestarts}: npm run stack -- restart kafka (services keep running)`);
  const exitsBefore = cluster.unexpectedExits.length;
  const generations = new Map(cluster.instances.map((i) => [i.label, i.starts]));
  const from = Date.now();
  const disruption: Disruption = {
    what: `broker restart ${number}`,
    services: [...serviceNames],
    from,
    to: null,
  };
  disruptions.push(disruption);
  const restart = runStack(['restart', 'kafka']);
  restartingBroker = restart;
  const { code, output } = await restart;
  restartingBroker = null;
  appendFileSync(join(logDir, 'stack-restart.log'), output);
  const restartMs = Date.now() - from;
  if (code !== 0) {
    findings.push(
      `broker restart ${number} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
    );
    throw new Error(
      `the Kafka broker could not be restarted (exit ${code}); see ${logDir}/stack-restart.log`,
    );
  }
  say(`broker restart ${number}: broker answering again after ${seconds(restartMs)}`);
  const record: BrokerRecord = { at: sinceDrive(), restartMs, allReadyAfterMs: null, exitsDuring: 0 };
  brokerRecords.push(record);
  // Every instance must become ready again by itself (no restart): consumer rejoined, relay healthy.
  // Each one on its own (kills elsewhere keep groups rebalancing, so "all at once" may never happen),
  // counting only probes from 10 s after the broker is back (a consumer notices the outage on its
  // next heartbeat, so an earlier "ready" may be stale). Instances killed since the restart began
  // are their kill's business.
  const readyFrom = Date.now();
  const recovered = new Map<string, number>();
  const unchanged = () => cluster.instances.filter((i) => i.starts === generations.get(i.label));
  let notReady: string[] = [];
  while (Date.now() - readyFrom < 150_000) {
    notReady = unchanged()
      .filter((i) => !recovered.has(i.label))
      .map((i) => i.label);
    if (notReady.length === 0) break;
    if (Date.now() - readyFrom >= 10_000) {
      await Promise.all(
        notReady.map(async (label) => {
          if (await cluster.probe(cluster.get(label), '/health/ready'))
            recovered.set(label, Date.now() - readyFrom);
        }),
      );
    }
    await sleep(500);
  }
  record.exitsDuring = cluster.unexpectedExits.length - exitsBefore;
  disruption.to = Date.now();
  if (notReady.length === 0) {
    record.allReadyAfterMs = Math.max(0, ...recovered.values());
    say(
      `broker restart ${number}: every instance ready again by itself within ${seconds(record.allReadyAfterMs)} (${recovered.size} checked, ${cluster.instances.length - recovered.size} restarted by kills meanwhile)`,
    );
  } else {
    const bodies = await describeNotReady(notReady);
    findings.push(
      `after broker restart ${number}, not ready within 150 s without a restart: ${bodies.join('; ')} (logs ${relative(repoRoot, logDir)})`,
    );
    say(`broker restart ${number}: NOT READY after 150 s: ${bodies.join('; ')}`);
  }
}

async function chaosLane(): Promise<void> {
  // Broker restarts run one at a time; kills run at their own moments (they may overlap).
  const brokerLane = (async () => {
    for (const [i, at] of brokerPlans.entries()) {
      await sleepUntilDrive(at);
      await brokerRestartEvent(i + 1);
    }
  })();
  await Promise.all([brokerLane, ...killPlans.map((plan, i) => killEvent(plan, i + 1))]);
}

// ---------------------------------------------------------------------------------------------
// silent windows: one participant silent for one command on every instance

async function setFault(participant: ParticipantName, body: Record<string, unknown> | null): Promise<void> {
  for (const instance of cluster.of(participant)) {
    const authorization = localBearer('operator', 'chaos');
    const response = await fetch(`${instance.url}/faults`, {
      method: body === null ? 'DELETE' : 'POST',
      ...(body === null
        ? { headers: { authorization } }
        : { headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (response.status !== (body === null ? 204 : 200))
      throw new Error(
        `${body === null ? 'DELETE' : 'POST'} /faults on ${instance.label}: ${response.status} ${text}`,
      );
  }
}

async function silentWindow(
  plan: WindowPlan,
  number: number,
  driver: OrderDriver,
  firstN: number,
): Promise<void> {
  const participant = silencedParticipant[plan.command];
  const risky = new Set<string>(statesUpTo[plan.command]);
  const at = sinceDrive();
  const from = Date.now();
  // From now on no kill picks this participant: its instances must keep the fault once it is set.
  silencedNow = participant;
  for (const kind of kindsReaching[plan.command]) blocked.add(kind);
  notify();
  say(
    `silent window ${number}/${windowPlans.length}: holding back ${kindsReaching[plan.command].join(', ')} orders until none may still need ${plan.command}`,
  );
  const release = () => {
    silencedNow = null;
    for (const kind of kindsReaching[plan.command]) blocked.delete(kind);
    notify();
  };
  const instances = cluster.of(participant);
  const drainDeadline = Date.now() + forwardBudgetMs(o) * 2 + 120_000;
  for (;;) {
    const inFlight = [...inFlightKinds.values()].some((k) => blocked.has(k));
    const needing = [...(monitor?.pendingStates() ?? new Map<string, string>())].filter(
      ([id, state]) => risky.has(state) && blocked.has(kindByOrderId.get(id) ?? 'happy'),
    ).length;
    const restarting = instances.filter((i) => down.has(i.label) || !cluster.alive(i)).length;
    if (!inFlight && needing === 0 && restarting === 0) break;
    if (Date.now() > drainDeadline) {
      findings.push(
        `silent window ${number}: ${needing} orders still needed ${plan.command} (${restarting} ${participant} instances down) after ${seconds(Date.now() - from)}; window skipped`,
      );
      release();
      return;
    }
    await sleep(250);
  }
  const drainMs = Date.now() - from;
  const silentFrom = Date.now();
  const ids: string[] = [];
  let completed = false;
  try {
    await setFault(participant, { mode: 'silent', commands: [plan.command] });
    say(
      `silent window ${number}: every ${participant} instance silent for ${plan.command}; placing ${plan.orders} silent orders`,
    );
    const orders = Array.from({ length: plan.orders }, (_, i) => newPlaced(firstN + i, 'silent'));
    for (const id of await Promise.all(orders.map((order) => placeAndWatch(driver, order))))
      if (id !== null) ids.push(id);
    // Closed once every silent order has given up on the command (all its attempts timed out).
    const deadline = Date.now() + forwardBudgetMs(o) * 2 + 120_000;
    for (;;) {
      const waiting = ids.filter((id) => risky.has(monitor?.pendingStates().get(id) ?? 'done'));
      if (waiting.length === 0) {
        completed = true;
        break;
      }
      if (Date.now() > deadline) {
        findings.push(
          `silent window ${number}: ${waiting.length} silent orders still waited for ${plan.command} after ${seconds(Date.now() - silentFrom)}`,
        );
        break;
      }
      await sleep(250);
    }
  } finally {
    await setFault(participant, null).catch((error: unknown) =>
      findings.push(`silent window ${number}: could not clear the fault: ${(error as Error).message}`),
    );
    release();
  }
  const silentMs = Date.now() - silentFrom;
  windowRecords.push({ command: plan.command, at, orders: ids.length, drainMs, silentMs, completed });
  say(`silent window ${number}: closed after ${seconds(silentMs)} (drain took ${seconds(drainMs)})`);
}

async function silenceLane(driver: OrderDriver): Promise<void> {
  let n = regularCount + 1;
  for (const [w, plan] of windowPlans.entries()) {
    await sleepUntilDrive(plan.at);
    await silentWindow(plan, w + 1, driver, n);
    n += plan.orders;
  }
}

// ---------------------------------------------------------------------------------------------
// quiescence and report

async function count(sql: string): Promise<number> {
  const result: { rows: Array<{ n: number }> } = await (db as Knex).raw(sql);
  return Number(result.rows[0]?.n ?? 0);
}

async function quiescence(): Promise<boolean> {
  const deadline = Date.now() + o.timeoutS * 1000;
  let stable = 0;
  let last = '';
  while (Date.now() < deadline) {
    const pending = await count(`select count(*)::int as n from orders.orders where status = 'PENDING'`);
    let outbox = 0;
    for (const schema of ['orders', 'inventory', 'payment', 'shipping'])
      outbox += await count(`select count(*)::int as n from ${schema}.outbox`);
    const lag = await consumerLag(env).catch(() => null);
    const lagTotal = lag === null ? -1 : Object.values(lag).reduce((a, b) => a + b, 0);
    const notReady = await cluster.notReady();
    const state = `pending orders ${pending}, outbox rows ${outbox}, consumer lag ${lag === null ? '?' : JSON.stringify(lag)}, not ready: ${notReady.join(', ') || 'none'}`;
    if (state !== last) say(`quiescence: ${state}`);
    last = state;
    if (pending === 0 && outbox === 0 && lagTotal === 0 && notReady.length === 0) {
      stable += 1;
      if (stable >= 3) return true;
    } else {
      stable = 0;
    }
    await sleep(1_000);
  }
  findings.push(`no quiescence within --timeout-s ${o.timeoutS}: ${last}`);
  return false;
}

function table(results: CheckResult[]): string {
  const rows = results.map((r) => [
    `${r.id.padEnd(3)} ${r.invariant}`,
    String(r.checked),
    String(r.violations.length),
  ]);
  const head = ['invariant', 'checked', 'violations'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// main

let interrupted = false;
const onSignal = (name: string) => {
  if (interrupted) {
    console.error(`chaos: second ${name}: killing every service instance now`);
    cluster.killAllNow();
    process.exit(130);
  }
  interrupted = true;
  cluster.markStopping();
  console.error(`\nchaos: ${name}: stopping and cleaning up (again to kill at once)`);
  abort.abort();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const timings: Record<string, number> = {};
const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const from = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - from;
  }
};

let exitCode = 1;
say(`seed ${o.seed}; reproduce with: ${command}`);
say(
  `run ${runId}: database ${databaseName}, topics ${env.topicPrefix}*, groups *${env.groupIdSuffix}, ports ${o.basePort}+, logs ${relative(repoRoot, logDir)}/`,
);
say(
  `plan: ${o.orders} orders over ${o.durationS}s (${regularCount} regular: ${Object.keys(regularMix)
    .map((k) => `${regularKinds.filter((x) => x === k).length} ${k}`)
    .join(
      ', ',
    )}; ${windows} silent windows × ${o.silentOrders}), ${o.kills} kills, ${o.brokerRestarts} broker restarts, ${o.instances} instances per service`,
);
say(
  `saga deadlines: step ${o.stepTimeoutMs} ms ×${o.backoffMultiplier} (max ${o.maxStepTimeoutMs} ms): ${o.forwardAttempts} forward attempts = ${seconds(forwardBudgetMs(o))}, ${o.compensationAttempts} compensation attempts = ${seconds(compensationBudgetMs(o))}`,
);
try {
  await phase('setup', async () => {
    for (const instance of cluster.instances) {
      if (await cluster.probe(instance, '/health/live'))
        throw new Error(
          `port ${instance.port} (${instance.label}) is taken by another process: use --base-port`,
        );
    }
    await freshDatabase(env);
    databaseCreated = true;
    await createTopics(env);
    say(
      `database and ${env.partitions}-partition topics ready; starting ${cluster.instances.length} service instances`,
    );
    const interrupted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Aborted()), { once: true }),
    );
    interrupted.catch(() => undefined);
    await Promise.race([cluster.startAll(180_000), interrupted]);
    db = createDatabase(databaseUrl, { poolMax: 3 });
    monitor = new OrderMonitor(db);
    monitor.start();
    say(`every instance ready: ${cluster.instances.map((i) => `${i.label}:${i.port}`).join(' ')}`);
  });

  const driver = new OrderDriver({
    orchestrators: () => cluster.of('orchestrator'),
    placeTimeoutMs: 120_000,
    signal,
  });
  await phase('drive', async () => {
    driveStart = Date.now();
    const progress = setInterval(() => {
      const acked = placed.filter((p) => p.orderIds.size > 0).length;
      say(
        `progress: ${placed.length}/${o.orders} placed, ${acked - (monitor?.pendingStates().size ?? 0)} terminal, ${monitor?.pendingStates().size ?? 0} pending`,
      );
    }, 10_000);
    try {
      const lanes = Promise.all([chaosLane(), silenceLane(driver)]);
      // a lane that fails (e.g. the broker cannot be restarted) ends the run
      lanes.catch((error: unknown) => {
        if (!(error instanceof Aborted)) laneError = error;
        abort.abort();
      });
      await Promise.all(Array.from({ length: o.concurrency }, () => worker(driver)));
      await lanes;
      await Promise.all(background);
    } finally {
      clearInterval(progress);
    }
  });
  say(
    `every order placed (${driver.retriedPosts} POSTs retried with the same Idempotency-Key); waiting for quiescence`,
  );
  await phase('quiescence', quiescence);

  const results = await phase('checks', async () => {
    await monitor?.stop();
    const replies = await scanReplies(env, checkGroupId);
    const deadLetters = await deadLetterCounts(env);
    const checks = await runChecks({
      db: db as Knex,
      placed,
      replies,
      deadLetters,
      disruptions,
      graceMs: 15_000,
    });
    const exits = cluster.unexpectedExits.map(
      (e) =>
        `${e.instance} exited by itself at ${e.at.toISOString()} (code ${e.code}, signal ${e.signal}); log ${relative(repoRoot, e.log)}`,
    );
    checks.push({
      id: '7',
      invariant: 'services survive kills of others and broker restarts',
      checked: cluster.instances.length,
      violations: [...exits, ...findings],
      notes: [
        ...(slowLive.length === 0
          ? []
          : [
              `availability (not a violation): ${slowLive.length} of ${killRecords.length} restarted instances answered HTTP only ${seconds(Math.min(...slowLive))}–${seconds(Math.max(...slowLive))} after their restart`,
            ]),
        ...availability.map((a) => `availability (not a violation): ${a}`),
      ],
    });
    return checks;
  });

  const violations = results.reduce((sum, r) => sum + r.violations.length, 0);
  const kinds = new Map<string, number>();
  for (const p of placed) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  const lines: string[] = ['', table(results)];
  for (const r of results) {
    for (const note of r.notes ?? []) lines.push(`  ${r.id}: ${note}`);
    for (const v of r.violations.slice(0, 12)) lines.push(`  ${r.id} VIOLATION: ${v}`);
    if (r.violations.length > 12) lines.push(`  ${r.id}: … ${r.violations.length - 12} more (report.json)`);
  }
  lines.push('');
  lines.push(`orders by kind: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  lines.push(
    `kills: ${
      killRecords
        .map(
          (k) =>
            `${k.at} ${k.victim}${k.victim === k.planned ? '' : ` (for ${k.planned})`} down ${k.downMs}ms, ready ${k.readyAfterMs === null ? k.note || '?' : seconds(k.readyAfterMs)}`,
        )
        .join('; ') || 'none'
    }`,
  );
  lines.push(
    `broker restarts: ${
      brokerRecords
        .map(
          (b) =>
            `${b.at} stop+start ${seconds(b.restartMs)}, every instance ready ${b.allReadyAfterMs === null ? 'NEVER' : seconds(b.allReadyAfterMs)} later, ${b.exitsDuring} exits`,
        )
        .join('; ') || 'none'
    }`,
  );
  lines.push(
    `silent windows: ${
      windowRecords
        .map(
          (w) =>
            `${w.at} ${w.command} ×${w.orders} (drain ${seconds(w.drainMs)}, silent ${seconds(w.silentMs)})`,
        )
        .join('; ') || 'none'
    }`,
  );
  lines.push(
    `timings: ${Object.entries(timings)
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')}, total ${elapsed()}`,
  );
  lines.push(`seed ${o.seed}; reproduce: ${command}`);
  lines.push(`logs: ${relative(repoRoot, logDir)}/`);
  lines.push(
    `chaos: ${placed.length} orders, ${killRecords.length} kills, ${brokerRecords.length} broker restarts, ${violations} violations`,
  );
  const summary = lines.join('\n');
  console.log(summary);
  writeFileSync(join(logDir, 'report.txt'), `${summary}\n`);
  writeFileSync(
    join(logDir, 'report.json'),
    JSON.stringify(
      {
        runId,
        options: o,
        command,
        results,
        killRecords,
        brokerRecords,
        windowRecords,
        disruptions,
        timings,
      },
      null,
      2,
    ),
  );
  exitCode = violations === 0 ? 0 : 1;
} catch (error) {
  if (laneError !== null) {
    console.error(`chaos: run failed: ${(laneError as Error).stack ?? String(laneError)}`);
    exitCode = 1;
  } else if (error instanceof Aborted || signal.aborted) {
    console.error(`chaos: interrupted after ${elapsed()}; no verdict`);
    exitCode = 130;
  } else {
    console.error(`chaos: run failed: ${(error as Error).stack ?? String(error)}`);
    exitCode = 1;
  }
} finally {
  if (!signal.aborted) abort.abort();
  await monitor?.stop();
  if (restartingBroker) {
    console.error('chaos: waiting for the broker restart in progress to finish');
    await restartingBroker;
  }
  say('stopping every service instance');
  await cluster.stopAll();
  await db?.destroy();
  if (!o.keep) {
    await deleteTopicsAndGroups(env, [checkGroupId]).catch((error: unknown) =>
      console.error(`chaos: could not delete the topics/groups of ${runId}: ${(error as Error).message}`),
    );
    // kept only when there is something to diagnose (violations or a failed run)
    if (exitCode === 0 || exitCode === 130) await dropDatabase(env).catch(() => undefined);
    else if (databaseCreated) console.error(`chaos: database ${databaseName} kept for diagnosis`);
  } else {
    console.error(
      `chaos: --keep: database ${databaseName}, topics ${env.topicPrefix}* and groups *${env.groupIdSuffix} kept`,
    );
  }
  say(`done in ${elapsed()} (exit ${exitCode})`);
}
process.exit(exitCode);
