/**
 * The relay on real sockets (loopback only, no stack needed): bytes arrive whole and in order, with
 * and without a delay; a delayed chunk takes at least the delay − jitter; a refused server reaches
 * the client as a reset.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';
import { Prng } from '../../lib/random/prng.ts';
import { StackRelay } from './stack-relay.ts';

const portBase = Number(process.env.TEST_PORT_BASE ?? 3100) + 70;
const relayAddress = '127.0.0.2';

/** An echo server on 127.0.0.1:port. */
async function echoServer(port: number): Promise<Server> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port }, resolve));
  return server;
}

/** Sends `payload` through the relay in pieces and reads the echo back; resolves with it and the time. */
function roundTrip(port: number, payload: Buffer): Promise<{ echoed: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const from = Date.now();
    const chunks: Buffer[] = [];
    let received = 0;
    const client = createConnection({ host: relayAddress, port }, () => {
      for (let offset = 0; offset < payload.length; offset += 1_000)
        client.write(payload.subarray(offset, offset + 1_000));
    });
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        client.end();
        resolve({ echoed: Buffer.concat(chunks), ms: Date.now() - from });
      }
    });
    client.on('error', reject);
  });
}

describe('stack relay (loopback sockets)', () => {
  const servers: Server[] = [];
  const relays: StackRelay[] = [];
  after(async () => {
    await Promise.all(relays.map((r) => r.close()));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  test('without a delay, with one: every byte arrives, in order; the delay is at least delay − jitter each way', async () => {
    servers.push(await echoServer(portBase));
    const plain = new StackRelay();
    relays.push(plain);
    await plain.listen(relayAddress, [portBase]);
    const payload = randomBytes(200_000);
    assert.deepEqual((await roundTrip(portBase, payload)).echoed, payload);
    await plain.close();

    const delayed = new StackRelay();
    relays.push(delayed);
    delayed.setDelay({ ms: 40, jitterMs: 10, random: new Prng(3) });
    await delayed.listen(relayAddress, [portBase]);
    const { echoed, ms } = await roundTrip(portBase, payload);
    assert.deepEqual(echoed, payload, 'chunks held for different times still leave in order');
    assert.ok(ms >= 2 * 30, `a round trip took ${ms} ms, less than twice delay − jitter`);
  });

  test('a server that refuses reaches the client as a reset', async () => {
    const relay = new StackRelay();
    relays.push(relay);
    await relay.listen(relayAddress, [portBase + 1]); // nothing listens on 127.0.0.1 there
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const client = createConnection({ host: relayAddress, port: portBase + 1 }, () =>
        client.write('hello'),
      );
      client.on('error', resolve);
      client.on('close', () => reject(new Error('closed without an error')));
    });
    assert.equal(error.code, 'ECONNRESET');
  });
});
