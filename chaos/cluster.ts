/**
 * The chaos run's service instances: N of each service in the same consumer groups (one group per
 * service), each on its own HTTP port, logging to `<logDir>/<service>-<i>.log`. Tracks every exit:
 * an exit the run did not cause (not a kill -9, not the final stop) is a finding, and the instance
 * is started again so the run can go on.
 */
import {
  type ServiceName,
  type ServiceProcess,
  serviceEntryPoints,
  startService,
  stopService,
  waitUntilReady,
} from '../scripts/support/service-processes.ts';

export const serviceNames = Object.keys(serviceEntryPoints) as ServiceName[];
export const participantNames = ['inventory', 'payment', 'shipping'] as const;
export type ParticipantName = (typeof participantNames)[number];

const portVariables: Record<ServiceName, string> = {
  orchestrator: 'ORCHESTRATOR_PORT',
  inventory: 'INVENTORY_PORT',
  payment: 'PAYMENT_PORT',
  shipping: 'SHIPPING_PORT',
};

export interface UnexpectedExit {
  instance: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: Date;
  log: string;
}

export interface Instance {
  /** e.g. `payment-2` */
  label: string;
  service: ServiceName;
  index: number;
  port: number;
  /** Position in `instances`: the launcher's slot (e.g. its network namespace). */
  slot: number;
  url: string;
  process: ServiceProcess | null;
  /** Set while the run itself is killing or stopping it, so its exit is not reported. */
  expectingExit: boolean;
  starts: number;
}

/** How an instance is started and reached when not as a plain process on 127.0.0.1 (net/net-fabric.ts). */
export interface InstanceLauncher {
  /** The address its HTTP port is reached on. */
  host(slot: number): string;
  /** The command its `node` runs under (e.g. `ip netns exec …`) and environment added to it. */
  launch(slot: number): { prefix: readonly string[]; env: NodeJS.ProcessEnv };
}

export interface ClusterOptions {
  instances: number;
  basePort: number;
  /** Environment shared by every instance (ports are added per instance). */
  env: NodeJS.ProcessEnv;
  logDir: string;
  onEvent: (message: string, detail?: Record<string, unknown>) => void;
  launcher?: InstanceLauncher | undefined;
}

export class Cluster {
  readonly instances: Instance[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly #options: ClusterOptions;
  #stopping = false;

  constructor(options: ClusterOptions) {
    this.#options = options;
    for (let index = 1; index <= options.instances; index++) {
      serviceNames.forEach((service, offset) => {
        const port = options.basePort + 10 * (index - 1) + offset;
        const slot = this.instances.length;
        this.instances.push({
          label: `${service}-${index}`,
          service,
          index,
          port,
          slot,
          url: `http://${options.launcher?.host(slot) ?? '127.0.0.1'}:${port}`,
          process: null,
          expectingExit: false,
          starts: 0,
        });
      });
    }
  }

  of(service: ServiceName): Instance[] {
    return this.instances.filter((i) => i.service === service);
  }

  get(label: string): Instance {
    const found = this.instances.find((i) => i.label === label);
    if (!found) throw new Error(`no instance ${label}`);
    return found;
  }

  logOf(instance: Instance): string {
    return `${this.#options.logDir}/${instance.label}.log`;
  }

  alive(instance: Instance): boolean {
    const child = instance.process?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Starts one instance (without waiting for it to be ready). */
  start(instance: Instance): ServiceProcess {
    if (this.alive(instance)) throw new Error(`${instance.label} is already running`);
    const launch = this.#options.launcher?.launch(instance.slot);
    const env: NodeJS.ProcessEnv = { ...this.#options.env, ...launch?.env };
    for (const name of serviceNames) env[portVariables[name]] = String(instance.port);
    const started = startService(
      instance.service,
      env,
      { kind: 'files', dir: this.#options.logDir },
      `-${instance.index}`,
      launch && { prefix: launch.prefix, host: new URL(instance.url).hostname },
    );
    instance.process = started;
    instance.expectingExit = false;
    instance.starts += 1;
    void started.exited.then(() => this.#exited(instance, started));
    return started;
  }

  #exited(instance: Instance, started: ServiceProcess): void {
    if (instance.process !== started) return;
    const { exitCode: code, signalCode: signal } = started.child;
    if (instance.expectingExit || this.#stopping) return;
    const exit: UnexpectedExit = {
      instance: instance.label,
      code,
      signal,
      at: new Date(),
      log: this.logOf(instance),
    };
    this.unexpectedExits.push(exit);
    this.#options.onEvent(
      `UNEXPECTED EXIT of ${instance.label} (code ${code}, signal ${signal}); starting it again`,
      {
        ...exit,
      },
    );
    setTimeout(() => {
      if (!this.#stopping && !this.alive(instance)) this.start(instance);
    }, 1_000);
  }

  async startAll(readyTimeoutMs: number): Promise<void> {
    for (const instance of this.instances) this.start(instance);
    await Promise.all(this.instances.map((i) => waitUntilReady(i.process as ServiceProcess, readyTimeoutMs)));
  }

  /** kill -9; resolves once the process is gone. */
  async kill(instance: Instance): Promise<void> {
    const running = instance.process;
    if (!running || !this.alive(instance)) return;
    instance.expectingExit = true;
    running.child.kill('SIGKILL');
    await running.exited;
  }

  /** Polls /health/live until the process answers HTTP (consumer group membership may still be pending). */
  async waitLive(instance: Instance, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.probe(instance, '/health/live')) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  async probe(instance: Instance, path: string): Promise<boolean> {
    try {
      const response = await fetch(`${instance.url}${path}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Instances that do not answer /health/ready with 200 right now. */
  async notReady(): Promise<string[]> {
    const results = await Promise.all(
      this.instances.map(async (i) => ((await this.probe(i, '/health/ready')) ? null : i.label)),
    );
    return results.filter((r): r is string => r !== null);
  }

  /** From now on no exit is reported or answered with a restart (Ctrl-C reaches the children too). */
  markStopping(): void {
    this.#stopping = true;
  }

  /** SIGTERM every instance (SIGKILL after the grace period); no exit is reported from now on. */
  async stopAll(graceMs = 12_000): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      this.instances.map(async (i) => {
        if (!i.process) return;
        i.expectingExit = true;
        await stopService(i.process, graceMs);
      }),
    );
  }

  /** Last resort (a second Ctrl-C): SIGKILL whatever still runs, without waiting. */
  killAllNow(): void {
    this.#stopping = true;
    for (const i of this.instances) if (this.alive(i)) i.process?.child.kill('SIGKILL');
  }
}
