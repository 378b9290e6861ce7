import { type ICustomPartitioner, Partitioners } from 'kafkajs';

const m = 0x5bd1e995;

/**
 * murmur2 of `data` exactly as Kafka's Java client (Utils.murmur2) and kafkajs compute it, in 32-bit
 * integer arithmetic (kafkajs emulates it with 64-bit Long objects: a dozen allocations per key).
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= (data[whole + 2] ?? 0) << 16;
      h ^= (data[whole + 1] ?? 0) << 8;
      h = Math.imul(h ^ (data[whole] ?? 0), m);
      break;
    case 2:
      h ^= (data[whole + 1] ?? 0) << 8;
      h = Math.imul(h ^ (data[whole] ?? 0), m);
      break;
    case 1:
      h = Math.imul(h ^ (data[whole] ?? 0), m);
      break;
    default:
      break;
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's DefaultPartitioner (Java's pre-2.4 default: murmur2 of the key, positive, modulo the
 * partition count) with a faster hash: a keyed message lands on the same partition as with kafkajs
 * and the Java client. Messages without a key or with an explicit partition are left to kafkajs's own.
 */
export const KeyPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) return fallback(args);
    const key = Buffer.isBuffer(message.key) ? message.key : Buffer.from(String(message.key));
    return (murmur2(key) & 0x7fffffff) % partitionMetadata.length;
  };
};
