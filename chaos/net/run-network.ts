/** The network of one chaos run, when its options ask for one: checked before anything starts. */
import { serviceNames } from '../cluster.ts';
import type { ChaosEnvironment } from '../environment.ts';
import type { ChaosOptions } from '../options.ts';
import { stackPorts } from './namespaces.ts';
import { NetFabric, preflight } from './net-fabric.ts';
import { usesNamespaces } from './net-options.ts';

export class NetUnavailable extends Error {
  override readonly name = 'NetUnavailable';
}

/** Why --net-* cannot run here (not root, a tool missing), or null: checked before the stack is touched. */
export function netPrerequisiteError(o: ChaosOptions): string | null {
  if (!usesNamespaces(o)) return null;
  const missing = preflight();
  return missing === null ? null : `--net-partitions/--net-delay: ${missing}`;
}

/** null without --net-*; throws NetUnavailable (not root, a tool missing, the stack not on 127.0.0.1). */
export function runNetwork(
  o: ChaosOptions,
  env: ChaosEnvironment,
  processEnv: NodeJS.ProcessEnv,
  say: (message: string) => void,
): NetFabric | null {
  if (!usesNamespaces(o)) return null;
  const missing = netPrerequisiteError(o);
  if (missing !== null) throw new NetUnavailable(missing);
  let ports: number[];
  try {
    ports = stackPorts(
      env.brokers,
      processEnv.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
      env.databaseUrl,
    );
  } catch (error) {
    throw new NetUnavailable(`--net-partitions/--net-delay: ${(error as Error).message}`);
  }
  return new NetFabric({
    set: o.basePort,
    slots: o.instances * serviceNames.length,
    stackPorts: ports,
    delayMs: o.netDelayMs,
    seed: o.seed,
    say,
  });
}
