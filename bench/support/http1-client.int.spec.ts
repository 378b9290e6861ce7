/**
 * The bench's HTTP/1.1 client against real servers on loopback: node's own HTTP server, and raw
 * TCP servers for the answers node's server would not give (a cut-off response, none at all).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { Http1Client } from './http1-client.ts';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Node's HTTP server, counting the connections it accepted and has open. */
function nodeServer(handler: http.RequestListener): {
  server: http.Server;
  accepted: () => number;
  open: () => number;
} {
  const server = http.createServer(handler);
  let accepted = 0;
  let open = 0;
  server.on('connection', (socket) => {
    accepted += 1;
    open += 1;
    socket.on('close', () => {
      open -= 1;
    });
  });
  return { server, accepted: () => accepted, open: () => open };
}

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

describe('Http1Client', { timeout: 30_000 }, () => {
  const closers: Array<() => void> = [];
  after(() => {
    for (const close of closers) close();
  });

  it('answers every request with its own response, over at most maxSockets reused sockets', async () => {
    const { server, accepted } = nodeServer(async (request, response) => {
      const body = await readBody(request);
      const reply = JSON.stringify({
        echo: JSON.parse(body).n,
        method: request.method,
        url: request.url,
        type: request.headers['content-type'],
      });
      // answer out of order: a later request may finish first
      setTimeout(
        () => response.writeHead(202, { 'content-type': 'application/json' }).end(reply),
        Math.random() * 5,
      );
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 4, timeoutMs: 5_000 });
    closers.push(() => client.close());

    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        client.request(
          'POST',
          '/orders?x=1',
          { 'Content-Type': 'application/json' },
          JSON.stringify({ n, note: 'é' }),
        ),
      ),
    );
    responses.forEach((response, n) => {
      assert.equal(response.status, 202);
      assert.deepEqual(JSON.parse(response.body), {
        echo: n,
        method: 'POST',
        url: '/orders?x=1',
        type: 'application/json',
      });
    });
    assert.equal(accepted(), 4, 'four sockets, each reused');
    assert.equal(client.sockets, 4);
  });

  it('sends queued requests in the order they were made', async () => {
    const seen: number[] = [];
    const { server } = nodeServer(async (request, response) => {
      seen.push(JSON.parse(await readBody(request)).n);
      response.end('ok');
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5_000 });
    closers.push(() => client.close());

    await Promise.all(
      Array.from({ length: 50 }, (_, n) => client.request('POST', '/', {}, JSON.stringify({ n }))),
    );
    assert.deepEqual(
      seen,
      Array.from({ length: 50 }, (_, n) => n),
    );
  });

  it('reads chunked bodies, bodies of 204, and error statuses', async () => {
    const { server } = nodeServer((request, response) => {
      if (request.url === '/chunked') {
        response.write('first,');
        setTimeout(() => response.end('second'), 10);
      } else if (request.url === '/empty') {
        response.writeHead(204).end();
      } else {
        response.writeHead(429, { 'content-type': 'text/plain' }).end('too many sagas in flight');
      }
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5_000 });
    closers.push(() => client.close());

    assert.deepEqual(await client.request('GET', '/chunked', {}, ''), { status: 200, body: 'first,second' });
    assert.deepEqual(await client.request('GET', '/empty', {}, ''), { status: 204, body: '' });
    assert.deepEqual(await client.request('POST', '/full', {}, '{}'), {
      status: 429,
      body: 'too many sagas in flight',
    });
  });

  it('drops a socket the server closed while idle, and one the server asked to close', async () => {
    const { server, accepted, open } = nodeServer((request, response) => {
      if (request.url === '/close') response.setHeader('connection', 'close');
      response.end('ok');
    });
    server.keepAliveTimeout = 50;
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 2, timeoutMs: 5_000 });
    closers.push(() => client.close());

    assert.equal((await client.request('GET', '/', {}, '')).body, 'ok');
    await waitFor(() => open() === 0 && client.sockets === 0, 'the server to close the idle socket');
    assert.equal((await client.request('GET', '/', {}, '')).body, 'ok');
    assert.equal(accepted(), 2);

    assert.equal((await client.request('GET', '/close', {}, '')).body, 'ok');
    await waitFor(() => client.sockets === 0, 'the client to drop the socket the server closes');
    assert.equal((await client.request('GET', '/', {}, '')).body, 'ok');
    assert.equal(accepted(), 3);
  });

  it('reads a body without a length up to the close, and fails a request whose response is cut off', async () => {
    let mode: 'until-close' | 'cut' = 'until-close';
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        if (mode === 'until-close')
          socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it');
        else socket.end('HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\nonly this');
      });
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5_000 });
    closers.push(() => client.close());

    assert.deepEqual(await client.request('GET', '/', {}, ''), { status: 200, body: 'all of it' });
    mode = 'cut';
    await assert.rejects(
      client.request('POST', '/', {}, '{}'),
      /socket closed by the server before the whole response/,
    );
    mode = 'until-close';
    assert.equal(
      (await client.request('GET', '/', {}, '')).status,
      200,
      'the client goes on with a new socket',
    );
  });

  it('fails a request that gets no answer in time, and one nobody listens for', async () => {
    const silent = net.createServer(() => {});
    const port = await listen(silent);
    closers.push(() => silent.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 100 });
    closers.push(() => client.close());
    await assert.rejects(client.request('POST', '/', {}, '{}'), /no answer within 100 ms/);

    const closed = net.createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = new Http1Client({ host: '127.0.0.1', port: closedPort, maxSockets: 1, timeoutMs: 1_000 });
    closers.push(() => refused.close());
    await assert.rejects(refused.request('POST', '/', {}, '{}'), /ECONNREFUSED/);
  });

  it('fails a response with bytes after its end, since nothing was pipelined', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'));
    });
    const port = await listen(server);
    closers.push(() => server.close());
    const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: 1, timeoutMs: 5_000 });
    closers.push(() => client.close());
    await assert.rejects(
      client.request('GET', '/', {}, ''),
      /5 bytes from the server after a complete response/,
    );
  });
});
