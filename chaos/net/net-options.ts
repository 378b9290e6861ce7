/**
 * The network options of `npm run chaos` (chaos/README.md, "Network partitions"): one block, spread
 * into options.ts, so that other fault options stay apart from these.
 */

export interface NetOptions {
  /** Partitions: one instance at a time cut off from the broker, the registry and Postgres for seconds. */
  netPartitions: number;
  /** Latency added to every packet between an instance and the stack, each way (0: none). */
  netDelayMs: number;
}

export const netSpecs = [
  {
    flag: '--net-partitions',
    key: 'netPartitions',
    min: 0,
    max: 1_000,
    help: 'cut one instance off from broker, registry and Postgres for seconds (default 0; root, ip, nft)',
  },
  {
    flag: '--net-delay',
    key: 'netDelayMs',
    min: 0,
    max: 5_000,
    help: 'latency in ms (jitter ±ms/4) between the instances and the stack, each way (default 0; root)',
  },
] as const satisfies readonly {
  flag: string;
  key: keyof NetOptions;
  min: number;
  max: number;
  help: string;
}[];

export function netOptions(given: ReadonlyMap<string, number>): NetOptions {
  return { netPartitions: given.get('netPartitions') ?? 0, netDelayMs: given.get('netDelayMs') ?? 0 };
}

/** Whether the instances run in network namespaces of their own. */
export const usesNamespaces = (o: NetOptions): boolean => o.netPartitions > 0 || o.netDelayMs > 0;

/** The jitter that goes with a delay: a quarter of it. */
export const jitterOf = (delayMs: number): number => Math.round(delayMs / 4);
