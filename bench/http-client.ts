/**
 * Microbenchmark of the bench driver's HTTP client: CPU per POST of node's `http.request` (with a
 * keep-alive agent, as the driver used until 2026-12-04) against `bench/support/http1-client.ts`,
 * each sending open-loop POSTs of an order's size to a node HTTP server in another process (which
 * answers 202 with an orchestrator-sized JSON body; its CPU is not counted). Interleaved rounds;
 * prints µs of this process's CPU (user + system) per request and the command.
 *
 *   node --import tsx bench/http-client.ts [--requests 20000] [--rate 2000] [--sockets 256] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { Http1Client } from './support/http1-client.ts';
import { orderOf } from './support/load.ts';
import { positiveIntegerOptions, roundsAndMedian } from './support/microbenchmark-options.ts';

const { requests, rate, sockets, rounds } = positiveIntegerOptions({
  requests: 20_000,
  rate: 2_000,
  sockets: 256,
  rounds: 3,
});

const serverSource = `
const http = require('node:http');
const reply = JSON.stringify({ orderId: '0192f7a4-5b6c-7d8e-9f00-112233445566', status: 'PENDING', links: { self: '/orders/0192f7a4-5b6c-7d8e-9f00-112233445566' } });
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(202, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(reply) }).end(reply));
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const server = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
const [firstLine] = (await once(server.stdout, 'data')) as [Buffer];
const port = Number(firstLine.toString().trim());
if (!Number.isInteger(port)) throw new Error(`the server did not report its port: ${firstLine}`);

const body = orderOf(1, false, 'microbenchmark').body;
type Place = () => Promise<string>;

const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
const viaNodeHttp: Place = () =>
  new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { orderId: string }).orderId),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });

const client = new Http1Client({ host: '127.0.0.1', port, maxSockets: sockets, timeoutMs: 30_000 });
const headers = { 'Content-Type': 'application/json' };
const viaHttp1Client: Place = () =>
  client
    .request('POST', '/orders', headers, body)
    .then((response) => (JSON.parse(response.body) as { orderId: string }).orderId);

/** Sends `count` requests at `rate` per second; returns µs of this process's CPU per request. */
async function microsPerRequest(place: Place, count: number): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let answered = 0;
  await new Promise<void>((done, fail) => {
    let sent = 0;
    const tick = () => {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000));
      for (; sent < due; sent++) {
        place().then((orderId) => {
          if (orderId.length !== 36) fail(new Error(`unexpected orderId ${orderId}`));
          answered += 1;
          if (answered === count) done();
        }, fail);
      }
      if (sent < count) setTimeout(tick, 1);
    };
    tick();
  });
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / count;
}

await microsPerRequest(viaNodeHttp, Math.min(requests, 5_000));
await microsPerRequest(viaHttp1Client, Math.min(requests, 5_000));
const results = { nodeHttp: [] as number[], http1Client: [] as number[] };
for (let round = 0; round < rounds; round++) {
  results.nodeHttp.push(await microsPerRequest(viaNodeHttp, requests));
  results.http1Client.push(await microsPerRequest(viaHttp1Client, requests));
}
agent.destroy();
client.close();
server.kill();

const show = (xs: number[]) => roundsAndMedian(xs, 1);
console.log(
  `${requests} POSTs per round at ${rate}/s, ${sockets} sockets at most; µs of client CPU per request:`,
);
console.log(`  node http.request  ${show(results.nodeHttp)}`);
console.log(`  Http1Client        ${show(results.http1Client)}`);
console.log(
  `reproduce: node --import tsx bench/http-client.ts --requests ${requests} --rate ${rate} --sockets ${sockets} --rounds ${rounds}`,
);
