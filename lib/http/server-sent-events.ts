/**
 * Server-Sent Events on a fastify route: the reply is taken over (reply.raw) and a producer is
 * polled on a fixed period; each value it returns that differs from the last one sent goes out as a
 * `data:` event. The stream ends when the browser goes away or the app closes (`EventStreams.endAll`,
 * from a preClose hook, so a watching browser never holds a shutdown up).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export class EventStreams {
  private readonly open = new Set<() => void>();

  get size(): number {
    return this.open.size;
  }

  /**
   * Streams `produce()` every `periodMs` (the next call starts when the previous one is done). A
   * failing producer is logged and reported to the page as an `problem` event; the stream goes on.
   */
  stream(
    request: FastifyRequest,
    reply: FastifyReply,
    periodMs: number,
    produce: () => Promise<unknown>,
  ): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    raw.write(`retry: ${Math.max(1000, periodMs)}\n\n`);
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    let last = '';
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.open.delete(end);
      raw.end();
    };
    this.open.add(end);
    // The response's close: the browser went away (a request's close only says its body was read).
    raw.once('close', end);
    const tick = async () => {
      try {
        const data = JSON.stringify(await produce());
        if (!ended && data !== last) {
          last = data;
          raw.write(`data: ${data}\n\n`);
        }
      } catch (error) {
        request.log.warn({ err: error, url: request.url }, 'event stream: the producer failed');
        if (!ended) raw.write(`event: problem\ndata: ${JSON.stringify((error as Error).message)}\n\n`);
      }
      if (!ended) timer = setTimeout(tick, periodMs);
    };
    void tick();
  }

  /** Ends every open stream. */
  endAll(): void {
    for (const end of [...this.open]) end();
  }
}

/**
 * A value computed at most once per `maxAgeMs`, however many readers ask: concurrent readers share
 * one computation, later ones get the cached value while it is fresh.
 */
export class SharedValue<T> {
  private value: { at: number; promise: Promise<T> } | undefined;
  private readonly compute: () => Promise<T>;
  private readonly maxAgeMs: number;

  constructor(compute: () => Promise<T>, maxAgeMs: number) {
    this.compute = compute;
    this.maxAgeMs = maxAgeMs;
  }

  get(now = Date.now()): Promise<T> {
    if (this.value !== undefined && now - this.value.at < this.maxAgeMs) return this.value.promise;
    const promise = this.compute();
    const entry = { at: now, promise };
    this.value = entry;
    // A failure is not kept: the next reader tries again.
    promise.catch(() => {
      if (this.value === entry) this.value = undefined;
    });
    return promise;
  }
}
