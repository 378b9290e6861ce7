/**
 * The driver's HTTP/1.1 client: keep-alive sockets to one server, one request per socket at a time,
 * and a first-in-first-out queue of requests waiting for a socket. The driver shares the machine's
 * cores with the system it measures, and node's `http.request` (agent, ClientRequest,
 * IncomingMessage and their streams) spent about 95 µs of CPU per POST where this spends about 65
 * (docs/performance.md, decisions of 2026-12-04 (third)). The server sees what it would see from
 * any client: one request per keep-alive socket at a time, written in one piece, nothing pipelined.
 *
 * Responses must carry a Content-Length (fastify's do); any other response, and a socket that fails
 * or closes under a request, fails that request: the bench counts it as an error, never retries.
 */
import net from 'node:net';

export interface HttpResponse {
  status: number;
  /** The body as UTF-8 text. */
  body: string;
}

interface PendingRequest {
  /** Request line, headers and body, ready to write. */
  wire: string;
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

const headEnd = Buffer.from('\r\n\r\n');

export interface Http1ClientOptions {
  host: string;
  port: number;
  /** Most sockets open at once; further requests wait for one. */
  maxSockets: number;
  /** A request without its whole response after this long fails (and its socket is closed). */
  timeoutMs: number;
}

/** One keep-alive socket; `idle` and `gone` tell the client when it is free or closed. */
class Connection {
  readonly #socket: net.Socket;
  #request: PendingRequest | null = null;
  #received: Buffer | null = null;
  #error: Error | null = null;
  closed = false;

  constructor(
    { host, port, timeoutMs }: Http1ClientOptions,
    idle: (c: Connection) => void,
    gone: () => void,
  ) {
    this.#socket = net.connect({ host, port, noDelay: true });
    this.#socket.setTimeout(timeoutMs, () => {
      if (this.#request) this.#socket.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    this.#socket.on('data', (data: Buffer) => {
      try {
        if (this.#complete(data) && !this.closed) idle(this);
      } catch (error) {
        this.#socket.destroy(error as Error);
      }
    });
    // 'close' always follows 'error': the request's fate is settled there
    this.#socket.on('error', (error) => {
      this.#error ??= error;
    });
    this.#socket.on('close', () => {
      this.closed = true;
      this.#request?.reject(
        this.#error ?? new Error('socket closed by the server before the whole response'),
      );
      this.#request = null;
      gone();
    });
  }

  send(request: PendingRequest): void {
    this.#request = request;
    this.#socket.write(request.wire);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Takes bytes of the response; true once it is whole and answered. Throws on a malformed one. */
  #complete(data: Buffer): boolean {
    const request = this.#request;
    if (!request) throw new Error('data from the server with no request outstanding');
    const received = this.#received ? Buffer.concat([this.#received, data]) : data;
    this.#received = received;
    const end = received.indexOf(headEnd);
    if (end < 0) return false;
    const head = received.toString('latin1', 0, end);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
    const length = /\r\ncontent-length: *(\d+) *(\r|$)/i.exec(head)?.[1];
    if (status === undefined || length === undefined)
      throw new Error(
        `response without a status line or a Content-Length: ${JSON.stringify(head.slice(0, 99))}`,
      );
    const total = end + headEnd.length + Number(length);
    if (received.length < total) return false;
    if (received.length > total)
      throw new Error(`${received.length - total} bytes from the server after a complete response`);
    [this.#request, this.#received] = [null, null];
    request.resolve({ status: Number(status), body: received.toString('utf8', end + headEnd.length) });
    if (/\r\nconnection: *close/i.test(head)) {
      this.closed = true; // asked to close: not idle, its 'close' event follows
      this.#socket.destroy();
    }
    return true;
  }
}

export class Http1Client {
  readonly #options: Http1ClientOptions;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  /** Requests waiting for a socket, oldest first from #head (no O(n) shift under a long queue). */
  #queue: PendingRequest[] = [];
  #head = 0;
  #closed = false;

  constructor(options: Http1ClientOptions) {
    this.#options = options;
  }

  /** Sockets open (busy or idle). */
  get sockets(): number {
    return this.#all.size;
  }

  /** Sends a request; `headers` must not hold Host, Content-Length or Connection. */
  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<HttpResponse> {
    if (this.#closed) return Promise.reject(new Error('Http1Client is closed'));
    const { host, port } = this.#options;
    let wire = `${method} ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const name in headers) wire += `${name}: ${headers[name]}\r\n`;
    wire += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      const request = { wire, resolve, reject };
      const connection = this.#takeIdle() ?? this.#open();
      if (connection) connection.send(request);
      else this.#queue.push(request);
    });
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.destroy();
    for (const request of this.#queue.slice(this.#head)) request.reject(new Error('Http1Client closed'));
    [this.#queue, this.#head] = [[], 0];
  }

  #nextQueued(): PendingRequest | undefined {
    const request = this.#queue[this.#head];
    if (request !== undefined) this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length)
      [this.#queue, this.#head] = [this.#queue.slice(this.#head), 0];
    return request;
  }

  #takeIdle(): Connection | undefined {
    let connection = this.#idle.pop();
    while (connection?.closed) connection = this.#idle.pop();
    return connection;
  }

  #open(): Connection | null {
    if (this.#all.size >= this.#options.maxSockets) return null;
    const idle = (c: Connection) => {
      const next = this.#nextQueued();
      if (next) c.send(next);
      else this.#idle.push(c);
    };
    const connection = new Connection(this.#options, idle, () => {
      this.#all.delete(connection);
      const next = this.#closed ? undefined : this.#nextQueued();
      if (next) this.#open()?.send(next); // a waiting request takes the freed slot
    });
    this.#all.add(connection);
    return connection;
  }
}
