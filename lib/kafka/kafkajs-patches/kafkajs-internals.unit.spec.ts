/**
 * The shape of the kafkajs 2.2.4 internals each patch in this folder replaces or relies on. These
 * tests load kafkajs's own modules (this process applies no patch) and fail when a private module
 * moves, or the function or method a patch replaces changes its name, arity or the way the modules
 * that take it load it. When one fails after a kafkajs change, review that patch before anything else.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);

/** A private kafkajs module: its export (the test fails when the path no longer resolves). */
const kafkajsModule = <T>(id: string): T => require(`kafkajs/src/${id}`) as T;
/** A private kafkajs module's source text, to check how it loads what a patch replaces. */
const kafkajsSource = (id: string): string => readFileSync(require.resolve(`kafkajs/src/${id}`), 'utf8');

/** Asserts a private module exports a function of `arity`, declared as `declaration` matches. */
function assertExportedFunction(id: string, arity: number, declaration: RegExp): void {
  const exported = kafkajsModule<unknown>(id);
  assert.equal(typeof exported, 'function', id);
  assert.equal((exported as (...args: never[]) => unknown).length, arity, id);
  assert.match(kafkajsSource(id), declaration);
}

describe('linear-group-messages.ts: producer/groupMessagesPerPartition.js', () => {
  it('is a function of one argument, ({ topic, partitionMetadata, messages, partitioner })', () => {
    assertExportedFunction(
      'producer/groupMessagesPerPartition.js',
      1,
      /module\.exports = \(\{ topic, partitionMetadata, messages, partitioner \}\) =>/,
    );
  });

  it('is taken by sendMessages.js when it loads, which the producer loads with kafkajs', () => {
    const sendMessages = kafkajsSource('producer/sendMessages.js');
    assert.match(
      sendMessages,
      /^const groupMessagesPerPartition = require\('\.\/groupMessagesPerPartition'\)$/m,
    );
    assert.match(
      sendMessages,
      /groupMessagesPerPartition\(\{\s*topic,\s*partitionMetadata,\s*messages,\s*partitioner/,
    );
    // Loading kafkajs loads sendMessages.js at once: the replacement must be cached before kafkajs loads.
    require('kafkajs');
    assert.ok(require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] !== undefined);
  });
});

describe('request-queue-timer-fix.ts: network/requestQueue/index.js', () => {
  interface RequestQueue {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: unknown;
    scheduleCheckPendingRequests(): void;
    checkPendingRequests(): void;
    push(request: unknown): void;
  }
  const RequestQueue = kafkajsModule<{ new (options: object): RequestQueue; prototype: RequestQueue }>(
    'network/requestQueue/index.js',
  );

  it('has the methods the patch replaces and calls, without arguments', () => {
    assert.equal(typeof RequestQueue, 'function');
    assert.equal(RequestQueue.prototype.scheduleCheckPendingRequests.length, 0);
    assert.equal(RequestQueue.prototype.checkPendingRequests.length, 0);
    assert.equal(typeof RequestQueue.prototype.push, 'function');
  });

  it('keeps the fields the patch reads: pending, throttledUntil, throttleCheckTimeoutId', () => {
    const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, logger: {} });
    assert.deepEqual(queue.pending, []);
    assert.equal(queue.throttledUntil, -1);
    assert.equal(queue.throttleCheckTimeoutId, null);
  });

  it('schedules from push() and after each check, so an empty queue needs no timer', () => {
    const source = kafkajsSource('network/requestQueue/index.js');
    const bodyOf = (method: string) => source.split(`\n  ${method}(`)[1]?.split('\n  }\n')[0] ?? '';
    assert.match(bodyOf('push'), /this\.scheduleCheckPendingRequests\(\)/);
    assert.match(bodyOf('checkPendingRequests'), /this\.scheduleCheckPendingRequests\(\)/);
  });
});

describe('produce-request-encoder.ts: protocol/requests/produce/v3/request.js', () => {
  const produceV3 = kafkajsModule<(args: object) => { apiKey: number; apiVersion: number; encode: unknown }>(
    'protocol/requests/produce/v3/request.js',
  );

  it('is a factory of one argument giving a Produce v3 request with encode()', () => {
    assert.equal(produceV3.length, 1);
    const request = produceV3({ acks: -1, timeout: 30000, topicData: [] });
    assert.equal(request.apiKey, 0);
    assert.equal(request.apiVersion, 3);
    assert.equal(typeof request.encode, 'function');
  });

  it('is taken by v4 and v5 when they load, and v6/v7 take v5/v6 (the dependents the patch checks)', () => {
    assert.match(kafkajsSource('protocol/requests/produce/v4/request.js'), /require\('\.\.\/v3\/request'\)/);
    assert.match(kafkajsSource('protocol/requests/produce/v5/request.js'), /require\('\.\.\/v3\/request'\)/);
    assert.match(kafkajsSource('protocol/requests/produce/v6/request.js'), /require\('\.\.\/v5\/request'\)/);
    assert.match(kafkajsSource('protocol/requests/produce/v7/request.js'), /require\('\.\.\/v6\/request'\)/);
  });

  it('is loaded lazily, on the first produce request of a version', () => {
    const index = kafkajsSource('protocol/requests/produce/index.js');
    for (const version of [3, 4, 5, 6, 7])
      assert.match(index, new RegExp(`^ {4}const request = require\\('\\./v${version}/request'\\)$`, 'm'));
  });

  it("finds the Encoder's buf/offset/buffer and Long's fromValue/fromInt/getHighBits/getLowBits", () => {
    const Encoder =
      kafkajsModule<new () => { buf: Buffer; offset: number; buffer: Buffer }>('protocol/encoder.js');
    const encoder = new Encoder();
    assert.ok(Buffer.isBuffer(encoder.buf));
    assert.equal(encoder.offset, 0);
    assert.equal(typeof Object.getOwnPropertyDescriptor(Encoder.prototype, 'buffer')?.get, 'function');
    const Long = kafkajsModule<{
      fromValue(value: unknown): { getHighBits(): number; getLowBits(): number };
      fromInt(value: number): unknown;
    }>('utils/long.js');
    assert.equal(typeof Long.fromInt, 'function');
    const long = Long.fromValue('4294967297');
    assert.equal(long.getHighBits(), 1);
    assert.equal(long.getLowBits(), 1);
  });
});

describe('record-decoder.ts: protocol/recordBatch/record/v0/decoder.js', () => {
  it('is a function of (decoder, batchContext = {})', () => {
    assertExportedFunction(
      'protocol/recordBatch/record/v0/decoder.js',
      1,
      /^module\.exports = \(decoder, batchContext = \{\}\) => \{$/m,
    );
  });

  it('is taken by the record batch decoder when it loads', () => {
    assert.match(
      kafkajsSource('protocol/recordBatch/v0/decoder.js'),
      /^const RecordDecoder = require\('\.\.\/record\/v0\/decoder'\)$/m,
    );
  });

  it("reads from the Decoder's buffer and offset", () => {
    const Decoder =
      kafkajsModule<new (buffer: Buffer) => { buffer: Buffer; offset: number }>('protocol/decoder.js');
    const bytes = Buffer.from([1, 2, 3]);
    const decoder = new Decoder(bytes);
    assert.equal(decoder.buffer, bytes);
    assert.equal(decoder.offset, 0);
  });
});
