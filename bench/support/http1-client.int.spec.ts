/**
 * The driver's HTTP/1.1 client against real servers on loopback: node's own HTTP server, and raw
 * TCP servers for the answers node's server would not give (a cut-off response, extra bytes).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { Http1Client } from './http1-client.ts';

const closers: Array<() => void> = [];
after(() => {
  for (const close of closers) close();
});

/** A listening server and a client of it, both closed after the tests. */
async function serve(server: net.Server, maxSockets: number, timeoutMs = 5_000): Promise<Http1Client> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = new Http1Client({ host: '127.0.0.1', port, maxSockets, timeoutMs });
  closers.push(
    () => server.close(),
    () => client.close(),
  );
  return client;
}

const readBody = async (request: http.IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** As fastify answers: with a Content-Length. */
const reply = (response: http.ServerResponse, status: number, body: string) =>
  response.writeHead(status, { 'content-length': Buffer.byteLength(body) }).end(body);

describe('Http1Client', { timeout: 30_000 }, () => {
  it('answers every request with its own response, over at most maxSockets reused sockets', async () => {
    let accepted = 0;
    const server = http.createServer(async (request, response) => {
      const body = JSON.stringify({ echo: JSON.parse(await readBody(request)).n, url: request.url });
      // answered out of order: a later request may finish first
      setTimeout(() => reply(response, 202, body), Math.random() * 5);
    });
    server.on('connection', () => {
      accepted += 1;
    });
    const client = await serve(server, 4);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        client.request('POST', '/orders', {}, JSON.stringify({ n, note: 'é' })),
      ),
    );
    responses.forEach((response, n) => {
      assert.deepEqual(response, { status: 202, body: JSON.stringify({ echo: n, url: '/orders' }) });
    });
    assert.equal(accepted, 4, 'four sockets, each reused');
    assert.equal(client.sockets, 4);
  });

  it('sends queued requests in order, and drops a socket the server closes', async () => {
    const seen: number[] = [];
    const server = http.createServer(async (request, response) => {
      seen.push(JSON.parse(await readBody(request)).n);
      if (seen.length === 10) response.setHeader('connection', 'close');
      reply(response, 429, 'too many sagas in flight');
    });
    const client = await serve(server, 1);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, n) => client.request('POST', '/', {}, JSON.stringify({ n }))),
    );
    assert.deepEqual(responses[0], { status: 429, body: 'too many sagas in flight' });
    assert.deepEqual(
      seen,
      Array.from({ length: 50 }, (_, n) => n),
    );
  });

  it('fails a request whose response is cut off, lacks a length or runs on, and goes on with a new socket', async () => {
    const answers = [
      'HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\nonly this',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    ];
    const server = net.createServer((socket) => socket.once('data', () => socket.end(answers.shift() ?? '')));
    const client = await serve(server, 1);
    await assert.rejects(
      client.request('POST', '/', {}, '{}'),
      /socket closed by the server before the whole response/,
    );
    await assert.rejects(client.request('GET', '/', {}, ''), /without a status line or a Content-Length/);
    await assert.rejects(
      client.request('GET', '/', {}, ''),
      /5 bytes from the server after a complete response/,
    );
    assert.deepEqual(await client.request('GET', '/', {}, ''), { status: 200, body: 'ok' });
  });

  it('fails a request that gets no answer in time', async () => {
    const client = await serve(
      net.createServer(() => {}),
      1,
      100,
    );
    await assert.rejects(client.request('POST', '/', {}, '{}'), /no answer within 100 ms/);
  });
});
