/**
 * A small HTTP/1.1 client for the bench's load: persistent sockets to one server, one request per
 * socket at a time, and a first-in-first-out queue of requests waiting for a socket.
 *
 * Why not `http.request`: the driver shares the machine's two cores with the system it measures,
 * and node's client (agent, ClientRequest, IncomingMessage, their streams and events) spent about
 * 95 µs of CPU per POST on this machine where this one spends about 65 (see bench/README.md,
 * "Session of 2026-12-04 (third)"). What the server sees does not change: every POST is its own
 * request on a keep-alive socket, written in one piece, as a browser or another service would send
 * it; nothing is pipelined.
 *
 * Responses are read by Content-Length, by chunked transfer coding, or (no length given) until the
 * server closes the socket; 204 and 304 have no body. A socket the server closed while it was idle
 * is dropped from the pool; one closed or failing under a request fails that request (a POST is not
 * retried: the bench counts it as an error).
 */
import net from 'node:net';

export interface HttpResponse {
  status: number;
  /** The body as UTF-8 text. */
  body: string;
}

export interface Http1ClientOptions {
  host: string;
  port: number;
  /** Most sockets open at once; further requests wait for one. */
  maxSockets: number;
  /** A request without its whole response after this long fails (and its socket is closed). */
  timeoutMs: number;
}

interface PendingRequest {
  /** Request line, headers and body, ready to write. */
  wire: string;
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

const headerEnd = Buffer.from('\r\n\r\n');
const crlf = Buffer.from('\r\n');

/** The parts of a response head the client acts on. */
export interface ResponseHead {
  status: number;
  /** Content-Length, or null when absent. */
  contentLength: number | null;
  chunked: boolean;
  /** `Connection: close`: the socket is not reused. */
  close: boolean;
}

/** Parses a response head (status line and headers, without the blank line). Throws on a malformed one. */
export function parseResponseHead(head: string): ResponseHead {
  const lines = head.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!statusLine)
    throw new Error(`malformed HTTP status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const parsed: ResponseHead = {
    status: Number(statusLine[1]),
    contentLength: null,
    chunked: false,
    close: false,
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed HTTP header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) throw new Error(`malformed Content-Length: ${JSON.stringify(value)}`);
      parsed.contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      parsed.chunked = value.split(',').some((coding) => coding.trim() === 'chunked');
    } else if (name === 'connection') {
      parsed.close = value.split(',').some((option) => option.trim() === 'close');
    }
  }
  return parsed;
}

/**
 * Decodes a chunked body from `data` (which starts right after the head). Returns the body and how
 * many bytes of `data` it took, or null while incomplete. Trailers are skipped.
 */
export function decodeChunked(data: Buffer): { body: Buffer; consumed: number } | null {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf(crlf, offset);
    if (lineEnd < 0) return null;
    const sizeText = data.toString('latin1', offset, lineEnd).split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText))
      throw new Error(`malformed chunk size: ${JSON.stringify(sizeText)}`);
    const size = Number.parseInt(sizeText, 16);
    offset = lineEnd + 2;
    if (size === 0) {
      // trailer lines, then an empty line
      for (;;) {
        const trailerEnd = data.indexOf(crlf, offset);
        if (trailerEnd < 0) return null;
        const empty = trailerEnd === offset;
        offset = trailerEnd + 2;
        if (empty) return { body: Buffer.concat(parts), consumed: offset };
      }
    }
    if (data.length < offset + size + 2) return null;
    parts.push(data.subarray(offset, offset + size));
    offset += size + 2;
  }
}

class Connection {
  readonly #socket: net.Socket;
  readonly #onDone: (connection: Connection) => void;
  readonly #onGone: (connection: Connection) => void;
  #request: PendingRequest | null = null;
  #received: Buffer | null = null;
  #head: ResponseHead | null = null;
  #bodyStart = 0;
  #error: Error | null = null;
  #closed = false;

  constructor(
    options: Http1ClientOptions,
    onDone: (connection: Connection) => void,
    onGone: (connection: Connection) => void,
  ) {
    this.#onDone = onDone;
    this.#onGone = onGone;
    this.#socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    this.#socket.setTimeout(options.timeoutMs, () => {
      if (this.#request) this.#socket.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    });
    this.#socket.on('data', (data: Buffer) => this.#onData(data));
    // 'close' always follows 'error': the request's fate is settled there
    this.#socket.on('error', (error) => {
      this.#error ??= error;
    });
    this.#socket.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(request: PendingRequest): void {
    this.#request = request;
    this.#socket.write(request.wire);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #onData(data: Buffer): void {
    if (!this.#request) {
      this.#socket.destroy(new Error('data from the server with no request outstanding'));
      return;
    }
    this.#received = this.#received ? Buffer.concat([this.#received, data]) : data;
    let response: { status: number; body: Buffer; reuse: boolean } | null;
    try {
      response = this.#completeResponse(false);
    } catch (error) {
      this.#socket.destroy(error as Error);
      return;
    }
    if (!response) return;
    this.#settle(response);
    if (response.reuse) this.#onDone(this);
    else this.#socket.destroy();
  }

  #onClose(): void {
    this.#closed = true;
    if (this.#request) {
      let response: { status: number; body: Buffer } | null = null;
      let error = this.#error;
      if (!error && this.#received) {
        try {
          response = this.#completeResponse(true);
        } catch (parseError) {
          error = parseError as Error;
        }
      }
      if (response) this.#settle(response);
      else {
        const request = this.#request;
        this.#request = null;
        request.reject(error ?? new Error('socket closed by the server before the whole response'));
      }
    }
    this.#onGone(this);
  }

  #settle(response: { status: number; body: Buffer }): void {
    const request = this.#request as PendingRequest;
    this.#request = null;
    this.#received = null;
    this.#head = null;
    request.resolve({ status: response.status, body: response.body.toString('utf8') });
  }

  /**
   * The outstanding request's response once all of it has arrived, else null. `atClose`: the
   * server closed the socket, which ends a body without a length. Throws on a malformed response
   * or on bytes after it (nothing was pipelined, so nothing may follow).
   */
  #completeResponse(atClose: boolean): { status: number; body: Buffer; reuse: boolean } | null {
    let received = this.#received;
    if (!received) return null;
    for (;;) {
      if (!this.#head) {
        const end = received.indexOf(headerEnd);
        if (end < 0) return null;
        this.#head = parseResponseHead(received.toString('latin1', 0, end));
        this.#bodyStart = end + 4;
      }
      if (this.#head.status >= 200) break;
      // an interim response (100 Continue): the final one follows
      received = received.subarray(this.#bodyStart);
      this.#received = received;
      this.#head = null;
    }
    const head = this.#head;
    let body: Buffer;
    let consumed: number;
    if (head.status === 204 || head.status === 304) {
      body = Buffer.alloc(0);
      consumed = this.#bodyStart;
    } else if (head.chunked) {
      const decoded = decodeChunked(received.subarray(this.#bodyStart));
      if (!decoded) return null;
      body = decoded.body;
      consumed = this.#bodyStart + decoded.consumed;
    } else if (head.contentLength !== null) {
      if (received.length < this.#bodyStart + head.contentLength) return null;
      consumed = this.#bodyStart + head.contentLength;
      body = received.subarray(this.#bodyStart, consumed);
    } else {
      // no length: the body ends when the server closes the socket
      if (!atClose) return null;
      consumed = received.length;
      body = received.subarray(this.#bodyStart);
    }
    if (consumed < received.length) {
      throw new Error(`${received.length - consumed} bytes from the server after a complete response`);
    }
    const delimited =
      head.chunked || head.contentLength !== null || head.status === 204 || head.status === 304;
    return { status: head.status, body, reuse: delimited && !head.close && !atClose };
  }
}

export class Http1Client {
  readonly #options: Http1ClientOptions;
  readonly #hostHeader: string;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  /** Requests waiting for a socket, oldest first from #queueHead. */
  #queue: PendingRequest[] = [];
  #queueHead = 0;
  #closed = false;

  constructor(options: Http1ClientOptions) {
    if (!Number.isInteger(options.maxSockets) || options.maxSockets < 1) {
      throw new Error(`maxSockets must be a positive integer, got ${options.maxSockets}`);
    }
    this.#options = options;
    this.#hostHeader = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  }

  /** Sockets open (busy or idle). */
  get sockets(): number {
    return this.#all.size;
  }

  /**
   * Sends a request and resolves with the status and body. Rejects when the socket fails or
   * closes before the whole response, or after `timeoutMs`. `headers` must not contain Host,
   * Content-Length or Connection.
   */
  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<HttpResponse> {
    if (this.#closed) return Promise.reject(new Error('Http1Client is closed'));
    let wire = `${method} ${path} HTTP/1.1\r\nHost: ${this.#hostHeader}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    for (const name in headers) wire += `${name}: ${headers[name]}\r\n`;
    wire += `\r\n${body}`;
    return new Promise((resolve, reject) => {
      const request: PendingRequest = { wire, resolve, reject };
      const connection = this.#takeIdle() ?? this.#open();
      if (connection) connection.send(request);
      else this.#queue.push(request);
    });
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.destroy();
    const waiting = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const request of waiting) request.reject(new Error('Http1Client closed'));
  }

  #takeIdle(): Connection | undefined {
    for (;;) {
      const connection = this.#idle.pop();
      if (!connection?.closed) return connection;
    }
  }

  #open(): Connection | null {
    if (this.#all.size >= this.#options.maxSockets) return null;
    const connection = new Connection(
      this.#options,
      (done) => this.#onDone(done),
      (gone) => this.#onGone(gone),
    );
    this.#all.add(connection);
    return connection;
  }

  #nextQueued(): PendingRequest | undefined {
    if (this.#queueHead >= this.#queue.length) return undefined;
    const request = this.#queue[this.#queueHead] as PendingRequest;
    this.#queueHead += 1;
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    return request;
  }

  #onDone(connection: Connection): void {
    const next = this.#nextQueued();
    if (next) connection.send(next);
    else this.#idle.push(connection);
  }

  #onGone(connection: Connection): void {
    this.#all.delete(connection);
    if (this.#closed) return;
    // a waiting request takes the freed slot
    const next = this.#nextQueued();
    if (next) {
      const replacement = this.#open();
      if (replacement) replacement.send(next);
    }
  }
}
