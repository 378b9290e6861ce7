/**
 * The namespace plumbing of `--net-partitions` / `--net-delay`, as data: the names and addresses of
 * each instance's network namespace and the commands that build and remove it. Pure (the commands
 * are run by net-fabric.ts), so that a unit spec can read them.
 *
 * Instance slot k of the set of base port P lives in namespace `osn-P-k`, joined to the root
 * namespace by a veth pair `osvPxkh` (root side, 10.231.(P mod 256).(4k+1)/30) and `osvPxkn`
 * (namespace side, …(4k+2)/30). Inside the namespace, TCP to 127.0.0.1 on a stack port (broker,
 * registry, Postgres) is DNATed to the root side of its veth, where the run's relay listens and
 * forwards to 127.0.0.1: the clients keep their configuration, the broker's advertised listener
 * (127.0.0.1) stays right, SASL and Postgres's pg_hba see a loopback connection.
 */

export const namespacePrefix = 'osn-';
export const vethPrefix = 'osv';
/** Every address lives in 10.231.0.0/16. */
const net16 = '10.231';
/** /30 per instance: at most 64 slots in a /24 (the chaos run has at most 5 × 4). */
export const maxSlots = 64;

export interface NamespaceLayout {
  slot: number;
  namespace: string;
  hostVeth: string;
  nsVeth: string;
  /** The root namespace's end of the veth: where the relay listens for this instance. */
  hostAddress: string;
  /** The instance's address: its HTTP port is reached there. */
  nsAddress: string;
}

/** The set of namespaces of the runs on one base port: a stale set from a killed run is found by it. */
export const setPrefixes = (set: number): { namespace: string; veth: string } => ({
  namespace: `${namespacePrefix}${set}-`,
  veth: `${vethPrefix}${set}x`,
});

export function layoutOf(set: number, slot: number): NamespaceLayout {
  if (!Number.isInteger(set) || set < 0 || set > 99_999) throw new RangeError(`set ${set} is not 0..99999`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= maxSlots)
    throw new RangeError(`slot ${slot} is not 0..${maxSlots - 1}`);
  const prefixes = setPrefixes(set);
  const octet3 = set % 256;
  return {
    slot,
    namespace: `${prefixes.namespace}${slot}`,
    hostVeth: `${prefixes.veth}${slot}h`,
    nsVeth: `${prefixes.veth}${slot}n`,
    hostAddress: `${net16}.${octet3}.${4 * slot + 1}`,
    nsAddress: `${net16}.${octet3}.${4 * slot + 2}`,
  };
}

/** One command: its argv, and what it reads on stdin (an nft script). */
export interface NetCommand {
  argv: readonly string[];
  stdin?: string;
}

const inNs = (l: NamespaceLayout, ...argv: string[]): NetCommand => ({
  argv: ['ip', 'netns', 'exec', l.namespace, ...argv],
});

/** The nft table that sends the namespace's loopback traffic to the stack ports out through its veth. */
export function loopbackRuleset(l: NamespaceLayout, stackPorts: readonly number[]): string {
  const ports = [...stackPorts].sort((a, b) => a - b).join(', ');
  return [
    'table ip osn_stack {',
    '  chain out {',
    '    type nat hook output priority -100; policy accept;',
    `    ip daddr 127.0.0.1 tcp dport { ${ports} } dnat to ${l.hostAddress}`,
    '  }',
    '  chain post {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    oifname "${l.nsVeth}" masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Builds one namespace: veth pair, addresses, routes, loopback → veth DNAT (route_localnet lets it leave lo). */
export function createCommands(l: NamespaceLayout, stackPorts: readonly number[]): NetCommand[] {
  if (stackPorts.length === 0) throw new RangeError('no stack ports to reach');
  return [
    { argv: ['ip', 'netns', 'add', l.namespace] },
    {
      argv: ['ip', 'link', 'add', l.hostVeth, 'type', 'veth', 'peer', 'name', l.nsVeth, 'netns', l.namespace],
    },
    { argv: ['ip', 'addr', 'add', `${l.hostAddress}/30`, 'dev', l.hostVeth] },
    { argv: ['ip', 'link', 'set', l.hostVeth, 'up'] },
    { argv: ['ip', '-n', l.namespace, 'link', 'set', 'lo', 'up'] },
    { argv: ['ip', '-n', l.namespace, 'addr', 'add', `${l.nsAddress}/30`, 'dev', l.nsVeth] },
    { argv: ['ip', '-n', l.namespace, 'link', 'set', l.nsVeth, 'up'] },
    { argv: ['ip', '-n', l.namespace, 'route', 'add', 'default', 'via', l.hostAddress] },
    inNs(l, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1'),
    { ...inNs(l, 'nft', '-f', '-'), stdin: loopbackRuleset(l, stackPorts) },
  ];
}

/** Latency and jitter on both ends of the veth (each direction), with netem. */
export function netemCommands(l: NamespaceLayout, delayMs: number, jitterMs: number): NetCommand[] {
  const delay = ['netem', 'delay', `${delayMs}ms`, `${jitterMs}ms`];
  return [
    { argv: ['tc', 'qdisc', 'replace', 'dev', l.hostVeth, 'root', ...delay] },
    { argv: ['tc', '-n', l.namespace, 'qdisc', 'replace', 'dev', l.nsVeth, 'root', ...delay] },
  ];
}

/** Removing a namespace removes its end of the veth pair, its qdiscs and nft tables. */
export const removeNamespace = (namespace: string): NetCommand => ({
  argv: ['ip', 'netns', 'del', namespace],
});

/** The root end of a veth dies with its peer, asynchronously; one that outlived it is removed by name. */
export const removeVeth = (veth: string): NetCommand => ({ argv: ['ip', 'link', 'del', veth] });

/** Names in `ip netns list` / `ip -o link show` output that belong to the set (stale or current). */
export function namesOfSet(
  set: number,
  netnsList: string,
  linkList: string,
): { namespaces: string[]; veths: string[] } {
  const { namespace, veth } = setPrefixes(set);
  const namespaces = netnsList
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.startsWith(namespace) && /^\d+$/.test(name.slice(namespace.length)));
  const veths = linkList
    .split('\n')
    .map((line) => line.match(/^\d+:\s+([^:@\s]+)/)?.[1] ?? '')
    .filter((name) => name.startsWith(veth) && /^\d+h$/.test(name.slice(veth.length)));
  return { namespaces, veths };
}

/**
 * The stack ports a namespaced instance must reach on 127.0.0.1: every broker of KAFKA_BROKERS (the
 * advertised listeners must be among them), the registry and Postgres. Anything not on 127.0.0.1
 * is refused: it would need no relay, or one this run does not build.
 */
export function stackPorts(brokers: readonly string[], registryUrl: string, databaseUrl: string): number[] {
  const endpoints = [
    ...brokers.map((b) => ({ what: `broker ${b}`, url: new URL(`tcp://${b}`) })),
    { what: `registry ${registryUrl}`, url: new URL(registryUrl) },
    { what: 'Postgres (DATABASE_URL)', url: new URL(databaseUrl) },
  ];
  const defaults: Record<string, number> = {
    'http:': 80,
    'https:': 443,
    'postgres:': 5432,
    'postgresql:': 5432,
  };
  const ports = endpoints.map(({ what, url }) => {
    if (url.hostname !== '127.0.0.1')
      throw new RangeError(
        `${what}: namespaced instances reach the stack on 127.0.0.1 only, not ${url.hostname}`,
      );
    const port = url.port === '' ? defaults[url.protocol] : Number(url.port);
    if (port === undefined) throw new RangeError(`${what}: no port`);
    return port;
  });
  return [...new Set(ports)].sort((a, b) => a - b);
}
