/**
 * The driver's HTTP/1.1 client against real servers on loopback: node's own HTTP server, and raw
 * TCP servers for the answers node's server would not give (a cut-off response, extra bytes).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';
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

/** Answers each POST with its body's `n`, as fastify answers: with a Content-Length; `seen` in order. */
function echoServer(seen: number[], { closeAt = -1, delayMs = 0 } = {}): http.Server {
  return http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const n = JSON.parse(Buffer.concat(chunks).toString('utf8')).n;
    seen.push(n);
    if (seen.length === closeAt) response.setHeader('connection', 'close');
    const body = JSON.stringify({ echo: n, url: request.url });
    const answer = () => response.writeHead(202, { 'content-length': Buffer.byteLength(body) }).end(body);
    setTimeout(answer, Math.random() * delayMs); // answered out of order: a later request may finish first
  });
}

const post = (client: Http1Client, n: number) =>
  client.request('POST', '/orders', {}, JSON.stringify({ n, é: 1 }));
const echoOf = (n: number) => ({ status: 202, body: JSON.stringify({ echo: n, url: '/orders' }) });

test('every request gets its own response, over at most maxSockets reused sockets', async () => {
  let accepted = 0;
  const server = echoServer([], { delayMs: 5 }).on('connection', () => accepted++);
  const client = await serve(server, 4);
  const responses = await Promise.all(Array.from({ length: 200 }, (_, n) => post(client, n)));
  assert.deepEqual(
    responses,
    responses.map((_, n) => echoOf(n)),
  );
  assert.deepEqual([accepted, client.sockets], [4, 4], 'four sockets, each reused');
});

test('queued requests go in order; a socket the server closes is dropped', async () => {
  const seen: number[] = [];
  const client = await serve(echoServer(seen, { closeAt: 10 }), 1);
  const responses = await Promise.all(Array.from({ length: 50 }, (_, n) => post(client, n)));
  assert.deepEqual(responses[49], echoOf(49));
  assert.deepEqual(
    seen,
    Array.from({ length: 50 }, (_, n) => n),
  );
});

test('a response cut off, without a length or running on fails its request; the next gets a new socket', async () => {
  const answers = [
    'HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\nonly this',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA',
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  ];
  const client = await serve(
    net.createServer((s) => s.once('data', () => s.end(answers.shift() ?? ''))),
    1,
  );
  await assert.rejects(post(client, 1), /socket closed by the server before the whole response/);
  await assert.rejects(post(client, 2), /without a status line or a Content-Length/);
  await assert.rejects(post(client, 3), /5 bytes from the server after a complete response/);
  assert.deepEqual(await post(client, 4), { status: 200, body: 'ok' });
  const silent = await serve(
    net.createServer(() => {}),
    1,
    100,
  );
  await assert.rejects(post(silent, 5), /no answer within 100 ms/);
});
