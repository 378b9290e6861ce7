/**
 * The network of a chaos run with `--net-partitions` / `--net-delay`: one namespace per service
 * instance (namespaces.ts), the relay that joins them to the stack (stack-relay.ts), the delay
 * (netem on the veths; in the relay when the kernel has no netem), cuts and heals (partitions.ts),
 * and the removal of all of it at the end, on abort, at exit, and of a stale set at start.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Prng } from '../../lib/random/prng.ts';
import type { InstanceLauncher } from '../cluster.ts';
import {
  createCommands,
  layoutOf,
  type NamespaceLayout,
  type NetCommand,
  namesOfSet,
  netemCommands,
  removeNamespace,
  removeVeth,
} from './namespaces.ts';
import { jitterOf } from './net-options.ts';
import { cutCommand, healCommand } from './partitions.ts';
import { StackRelay } from './stack-relay.ts';

export class NetCommandError extends Error {
  override readonly name = 'NetCommandError';
  readonly argv: readonly string[];
  readonly stderr: string;
  constructor(argv: readonly string[], stderr: string) {
    super(`${argv.join(' ')} failed: ${stderr.trim() || 'no output'}`);
    this.argv = argv;
    this.stderr = stderr;
  }
}

export function runNet(command: NetCommand): Promise<string> {
  const [file, ...args] = command.argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [command.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', (error) => reject(new NetCommandError(command.argv, error.message)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new NetCommandError(command.argv, stderr || `exit ${code ?? signal}`));
    });
    child.stdin?.end(command.stdin);
  });
}

/** Why this process cannot build namespaces, or null: root, and `ip`, `tc`, `nft` on the PATH. */
export function preflight(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root or without --net-*)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['tc', 'iproute2'],
    ['nft', 'nftables'],
  ] as const) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' });
    } catch {
      return `\`${tool}\` is missing (apt-get install ${pkg})`;
    }
  }
  return null;
}

export interface NetFabricOptions {
  /** The set (the run's base port): names and addresses derive from it. */
  set: number;
  slots: number;
  stackPorts: readonly number[];
  delayMs: number;
  seed: number;
  say: (message: string) => void;
}

export class NetFabric {
  readonly layouts: NamespaceLayout[];
  readonly #relay = new StackRelay();
  readonly #options: NetFabricOptions;
  /** How the delay is applied, once up: `netem` or `relay` (null without delay). */
  delayedBy: 'netem' | 'relay' | null = null;
  #up = false;

  constructor(options: NetFabricOptions) {
    this.#options = options;
    this.layouts = Array.from({ length: options.slots }, (_, slot) => layoutOf(options.set, slot));
  }

  /** Starts each instance in its slot's namespace, listening on every address of it. */
  readonly launcher: InstanceLauncher = {
    host: (slot) => this.#layout(slot).nsAddress,
    launch: (slot) => ({
      prefix: ['ip', 'netns', 'exec', this.#layout(slot).namespace],
      env: { HOST: '0.0.0.0' },
    }),
  };

  #layout(slot: number): NamespaceLayout {
    const layout = this.layouts[slot];
    if (!layout) throw new RangeError(`no namespace for slot ${slot}`);
    return layout;
  }

  /** Removes a stale set (a killed run's), builds every namespace, the relay and the delay. */
  async up(): Promise<void> {
    const stale = await this.#existing();
    if (stale.namespaces.length + stale.veths.length > 0) {
      this.#options.say(`removing a stale network set: ${[...stale.namespaces, ...stale.veths].join(' ')}`);
      await this.#remove(stale);
    }
    this.#up = true;
    const { stackPorts, delayMs, seed } = this.#options;
    for (const layout of this.layouts) {
      for (const command of createCommands(layout, stackPorts)) await runNet(command);
      await this.#relay.listen(layout.hostAddress, stackPorts);
    }
    if (delayMs > 0) await this.#applyDelay(delayMs, jitterOf(delayMs), seed);
  }

  async #applyDelay(delayMs: number, jitterMs: number, seed: number): Promise<void> {
    try {
      for (const layout of this.layouts)
        for (const command of netemCommands(layout, delayMs, jitterMs)) await runNet(command);
      this.delayedBy = 'netem';
    } catch (error) {
      if (!(error instanceof NetCommandError) || !/qdisc kind is unknown|No such file/i.test(error.stderr))
        throw error;
      // This kernel has no sch_netem: the relay holds every chunk instead (same delay, same jitter).
      this.#relay.setDelay({ ms: delayMs, jitterMs, random: new Prng((seed ^ 0x64656c61) >>> 0) });
      this.delayedBy = 'relay';
    }
    this.#options.say(`net delay ${delayMs} ms ± ${jitterMs} ms each way (${this.delayedBy})`);
  }

  async cut(slot: number): Promise<void> {
    await runNet(cutCommand(this.#layout(slot), this.#options.stackPorts));
  }

  async heal(slot: number): Promise<void> {
    await runNet(healCommand(this.#layout(slot)));
  }

  /** Removes every namespace, veth and qdisc of the set, and closes the relay. */
  async down(): Promise<void> {
    await this.#relay.close();
    if (!this.#up) return;
    this.#up = false;
    await this.#remove(await this.#existing());
  }

  /** For process exit (a second Ctrl-C): synchronous, best effort, reports what it could not remove. */
  downSync(): void {
    if (!this.#up) return;
    this.#up = false;
    const left: string[] = [];
    const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    const { namespaces } = namesOfSet(this.#options.set, listed, '');
    for (const layout of this.layouts.filter((l) => namespaces.includes(l.namespace))) {
      try {
        const [file, ...args] = removeNamespace(layout.namespace).argv as [string, ...string[]];
        execFileSync(file, args, { stdio: 'ignore' });
      } catch {
        left.push(layout.namespace);
      }
    }
    // the root ends of the veths die with their namespaces; the next run on this base port removes what is left
    if (left.length > 0)
      console.error(`chaos: could not remove ${left.join(' ')} (the next run removes them)`);
  }

  async #existing(): Promise<{ namespaces: string[]; veths: string[] }> {
    const [netns, links] = await Promise.all([
      runNet({ argv: ['ip', 'netns', 'list'] }),
      runNet({ argv: ['ip', '-o', 'link', 'show'] }),
    ]);
    return namesOfSet(this.#options.set, netns, links);
  }

  async #remove(names: { namespaces: string[]; veths: string[] }): Promise<void> {
    for (const namespace of names.namespaces) await runNet(removeNamespace(namespace));
    // the root ends die with their peers, asynchronously: remove whatever is still listed
    const left = await this.#existing();
    for (const veth of left.veths)
      await runNet(removeVeth(veth)).catch((error: unknown) => {
        if (!(error instanceof NetCommandError) || !/Cannot find device/.test(error.stderr)) throw error;
      });
  }
}
