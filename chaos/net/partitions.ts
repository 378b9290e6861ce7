/**
 * Partitions as data: the seeded plan (when, whom, for how long) and the nft table that cuts an
 * instance off from the stack. Pure; the fault lane is faults/net-partitions.ts.
 *
 * A cut drops (no reset: packets vanish, as on a real partition) every TCP segment between the
 * instance's namespace and the stack ports, in both directions, on its veth; its HTTP port stays
 * reachable, so the run still sees it and its readiness. Healing deletes the table: TCP
 * retransmissions carry the open connections on.
 */
import { Prng } from '../../lib/random/prng.ts';
import type { NamespaceLayout, NetCommand } from './namespaces.ts';

export interface PartitionPlan {
  /** Milliseconds after the drive starts. */
  at: number;
  /** Instance label, e.g. `payment-2`. */
  victim: string;
  cutMs: number;
}

/** Cuts last 3–20 s: some shorter than the consumers' 10 s session timeout, some longer (the group moves on without it). */
export const cutRange = { minMs: 3_000, maxMs: 20_000 } as const;

/**
 * Partitions at seeded moments in 10–85 % of the drive, in order (the lane runs them one at a time).
 * Drawn from a stream of their own (the seed mixed with a constant), so adding them leaves every
 * other part of a seed's plan as it was.
 */
export function planPartitions(
  seed: number,
  count: number,
  durationMs: number,
  labels: readonly string[],
): PartitionPlan[] {
  const random = new Prng((seed ^ 0x6e65746e) >>> 0);
  return Array.from({ length: count }, () => ({
    at: Math.round(durationMs * (0.1 + 0.75 * random.next())),
    victim: random.pick(labels),
    cutMs: random.int(cutRange.minMs, cutRange.maxMs),
  })).sort((a, b) => a.at - b.at);
}

export const cutTable = 'osn_cut';

export function cutRuleset(l: NamespaceLayout, stackPorts: readonly number[]): string {
  const ports = [...stackPorts].sort((a, b) => a - b).join(', ');
  return [
    `table inet ${cutTable} {`,
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    oifname "${l.nsVeth}" tcp dport { ${ports} } drop`,
    '  }',
    '  chain in {',
    '    type filter hook input priority 0; policy accept;',
    `    iifname "${l.nsVeth}" tcp sport { ${ports} } drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export const cutCommand = (l: NamespaceLayout, stackPorts: readonly number[]): NetCommand => ({
  argv: ['ip', 'netns', 'exec', l.namespace, 'nft', '-f', '-'],
  stdin: cutRuleset(l, stackPorts),
});

export const healCommand = (l: NamespaceLayout): NetCommand => ({
  argv: ['ip', 'netns', 'exec', l.namespace, 'nft', 'delete', 'table', 'inet', cutTable],
});
