/**
 * The relay in the root namespace: for each namespace it listens on the root end of the veth, on
 * every stack port, and forwards each connection to 127.0.0.1 on the same port (the broker, the
 * registry and Postgres listen on loopback only). Bytes are piped as they come; with a delay (used
 * when the kernel has no netem) every chunk is held for delay ± jitter, each direction, in order.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Prng } from '../../lib/random/prng.ts';

export interface RelayDelay {
  ms: number;
  jitterMs: number;
  random: Prng;
}

/** Moments at which chunks are passed on: delay ± jitter after they came, never before the previous one. */
export class DelayLine {
  #last = 0;
  readonly #delay: RelayDelay;
  constructor(delay: RelayDelay) {
    this.#delay = delay;
  }

  dueAt(now: number): number {
    const { ms, jitterMs, random } = this.#delay;
    const due = Math.max(this.#last, now + ms + (random.next() * 2 - 1) * jitterMs);
    this.#last = due;
    return due;
  }
}

/** One direction of a delayed connection: chunks leave in the order they came, each at its moment (one timer at a time). */
function forwardDelayed(from: Socket, to: Socket, delay: RelayDelay): void {
  const line = new DelayLine(delay);
  const queue: { due: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const drain = () => {
    timer = null;
    while (queue.length > 0 && (queue[0]?.due ?? 0) <= Date.now()) {
      const { chunk } = queue.shift() as { chunk: Buffer | null };
      if (to.destroyed) return;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    const next = queue[0];
    if (next) timer = setTimeout(drain, Math.max(1, next.due - Date.now()));
  };
  const enqueue = (chunk: Buffer | null) => {
    queue.push({ due: line.dueAt(Date.now()), chunk });
    timer ??= setTimeout(drain, Math.max(1, (queue[0]?.due ?? 0) - Date.now()));
  };
  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.on('end', () => enqueue(null));
  to.on('close', () => {
    if (timer) clearTimeout(timer);
    queue.length = 0;
  });
}

function forward(from: Socket, to: Socket, delay: RelayDelay | null): void {
  if (delay === null) from.pipe(to);
  else forwardDelayed(from, to, delay);
}

export class StackRelay {
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  #delay: RelayDelay | null = null;

  /** From now on, new and open connections' chunks are delayed (open ones from their next chunk only). */
  setDelay(delay: RelayDelay | null): void {
    this.#delay = delay;
  }

  async listen(address: string, ports: readonly number[]): Promise<void> {
    for (const port of ports) {
      const server = createServer({ allowHalfOpen: true }, (inbound) => this.#relay(inbound, port));
      this.#servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: address, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  }

  #relay(inbound: Socket, port: number): void {
    const outbound = createConnection({ host: '127.0.0.1', port, allowHalfOpen: true });
    for (const socket of [inbound, outbound]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.#sockets.delete(socket));
      // Either side failing resets the other (RST, not FIN): a client whose server is gone (e.g. the
      // broker restarting: the relay accepted, the connect to 127.0.0.1 was refused) sees a reset,
      // not a connection that ends while it writes its first request. The error is the peer's to see.
      socket.on('error', () => {
        for (const other of [inbound, outbound]) if (!other.destroyed) other.resetAndDestroy();
      });
    }
    // a side that closed ends the other once its delayed bytes are out ('end' is forwarded in order)
    forward(inbound, outbound, this.#delay);
    forward(outbound, inbound, this.#delay);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#servers.length = 0;
  }
}
