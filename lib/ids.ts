import * as crypto from 'node:crypto';

export type IdGenerator = () => string;
export type Clock = () => Date;

/** The two ASCII hex digits of every byte value, at 2 × value and 2 × value + 1. */
const hexDigitCodes = Uint8Array.from({ length: 512 }, (_, i) =>
  '0123456789abcdef'.charCodeAt(i % 2 ? (i >> 1) & 0xf : i >> 5),
);

/** Byte offsets of the dashes in the 8-4-4-4-12 form. */
const isDashAt = (at: number): boolean => at === 8 || at === 13 || at === 18 || at === 23;

/**
 * Formats 16 bytes as a UUID's 8-4-4-4-12 hex form: written into one scratch buffer and read out as
 * a single flat string. (Concatenating 20 pieces made 20 intermediate strings per id: ids were the
 * largest single allocation of the participants.)
 */
function formatUuid(bytes: Uint8Array, scratch: Buffer): string {
  let at = 0;
  for (let i = 0; i < 16; i += 1) {
    if (isDashAt(at)) scratch[at++] = 0x2d;
    const b = bytes[i] ?? 0;
    scratch[at++] = hexDigitCodes[2 * b] ?? 0;
    scratch[at++] = hexDigitCodes[2 * b + 1] ?? 0;
  }
  return scratch.toString('latin1', 0, 36);
}

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
  const scratch = Buffer.allocUnsafe(36);
  return () => {
    if (poolAt + 10 > pool.length) {
      crypto.randomFillSync(pool);
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
    return formatUuid(bytes, scratch);
  };
}

export const systemClock: Clock = () => new Date();

/**
 * Name-based UUID (RFC 9562 version 5, SHA-1): the same inputs always give the same id. Used for
 * command message ids, so a re-sent command carries the id of the first send and the participant's
 * inbox deduplicates it.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  return nameBasedId(namespace, name, false);
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
  return nameBasedId(namespace, name, timeOrderedPattern.test(namespace));
}

/** SHA-1 of the hash input as 40 hex digits; one call, no Hash object (`crypto.hash`, Node ≥ 20.12). */
const sha1Hex: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha1', data, 'hex')
    : (data) => crypto.createHash('sha1').update(data).digest('hex');

/** The hash input, namespace bytes then the name's UTF-8, built in place; grown for long names. */
let hashInput = Buffer.allocUnsafe(256);
const idBytes = Buffer.allocUnsafe(16);
const idScratch = Buffer.allocUnsafe(36);

/**
 * The version 5 id of (namespace, name), or with sortedWithNamespace the version 8 id that keeps
 * the namespace's first 48 bits (its timestamp) and the version 5 hash in the rest.
 */
function nameBasedId(namespace: string, name: string, sortedWithNamespace: boolean): string {
  const nameLength = Buffer.byteLength(name, 'utf8');
  if (hashInput.length < 16 + nameLength) hashInput = Buffer.allocUnsafe(2 * (16 + nameLength));
  // Stops at the first character that is not a hex digit; dashes are taken out first.
  const namespaceBytes = hashInput.write(namespace.replaceAll('-', ''), 0, 'hex');
  if (namespaceBytes !== 16) {
    throw new TypeError(`namespace must be a UUID, got ${JSON.stringify(namespace)}`);
  }
  hashInput.write(name, 16, 'utf8');
  const hash = sha1Hex(hashInput.subarray(0, 16 + nameLength));
  idBytes.write(hash, 0, 16, 'hex');
  if (sortedWithNamespace) {
    idBytes.set(hashInput.subarray(0, 6));
    idBytes[6] = 0x80 | ((idBytes[6] ?? 0) & 0x0f);
  } else {
    idBytes[6] = 0x50 | ((idBytes[6] ?? 0) & 0x0f);
  }
  idBytes[8] = 0x80 | ((idBytes[8] ?? 0) & 0x3f);
  return formatUuid(idBytes, idScratch);
}

const timeOrderedPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => uuidPattern.test(value);

/**
 * When a time-ordered id (version 7, timeOrderedIds) was made: the Unix milliseconds of its first
 * 48 bits. For an order id, when the order was placed.
 */
export const millisOfTimeOrderedId = (id: string): number =>
  Number.parseInt(id.slice(0, 8), 16) * 0x1_0000 + Number.parseInt(id.slice(9, 13), 16);
