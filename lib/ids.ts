import { createHash, randomFillSync } from 'node:crypto';

export type IdGenerator = () => string;
export type Clock = () => Date;

const hexOctets = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, a 12-bit counter
 * (rand_a, restarted at a random value each millisecond, RFC 9562 §6.2 method 1), then 62 random
 * bits. Ids of one generator sort in the order they were made, also within a millisecond (when the
 * counter runs out or the clock steps back, the timestamp moves on from the last one used).
 *
 * Why not random (version 4) ids: every id the services make is a primary key or part of one
 * (orders, sagas, history, inbox, payments, shipments). Random keys land on random leaf pages of
 * those B-trees; time-ordered keys land on the rightmost one, which Postgres inserts into without
 * a descent from the root and which stays in cache.
 */
export function timeOrderedIds(now: () => number = Date.now): IdGenerator {
  const pool = Buffer.allocUnsafe(8 * 1024);
  let poolAt = pool.length;
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return () => {
    if (poolAt + 10 > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const ms = Math.floor(now());
    if (ms > lastMs) {
      lastMs = ms;
      // Start low in the counter's range so a busy millisecond rarely runs out of it.
      counter = (pool[poolAt] ?? 0) & 0x1ff;
    } else if (counter < 0xfff) {
      counter += 1;
    } else {
      lastMs += 1;
      counter = (pool[poolAt] ?? 0) & 0x1ff;
    }
    poolAt += 1;
    // 48-bit timestamp, big-endian: the high 16 bits by division (beyond 32-bit integer operations).
    const high = Math.floor(lastMs / 0x1_0000_0000);
    const low = lastMs % 0x1_0000_0000;
    bytes[0] = high >>> 8;
    bytes[1] = high & 0xff;
    bytes[2] = low >>> 24;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((pool[poolAt] ?? 0) & 0x3f);
    for (let i = 9; i < 16; i += 1) bytes[i] = pool[poolAt + i - 8] ?? 0;
    poolAt += 8;
    const h = (i: number) => hexOctets[bytes[i] ?? 0];
    return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  };
}

export const systemClock: Clock = () => new Date();

/**
 * Name-based UUID (RFC 9562 version 5, SHA-1): the same inputs always give the same id. Used for
 * command message ids, so a re-sent command carries the id of the first send and the participant's
 * inbox deduplicates it.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`namespace must be a UUID, got ${JSON.stringify(namespace)}`);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A name-based id that sorts with its namespace when the namespace is time-ordered (version 7): the
 * namespace's 48-bit timestamp, version 8 (RFC 9562 §5.8), then 74 bits of the version 5 hash of
 * the same inputs. Deterministic like nameBasedUuid. For any other namespace it is nameBasedUuid
 * itself, so ids derived from older (random) namespaces are the same as they always were.
 *
 * Command message ids are derived from their order id; the participants' inboxes then get them
 * in the order the orders were placed, on the right edge of their B-trees, instead of scattered.
 */
export function nameBasedUuidSortedWith(namespace: string, name: string): string {
  const hashed = nameBasedUuid(namespace, name);
  if (!timeOrderedPattern.test(namespace)) return hashed;
  return `${namespace.slice(0, 13).toLowerCase()}-8${hashed.slice(15, 18)}-${hashed.slice(19)}`;
}

const timeOrderedPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => uuidPattern.test(value);
