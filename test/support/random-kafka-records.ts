/**
 * Random Kafka messages for the encoders' byte-for-byte comparisons with kafkajs: UTF-8 text with
 * multi-byte characters, ASCII text, Buffers, nulls and header arrays.
 */
import type { Prng } from '../../lib/random/prng.ts';

/** Strings with multi-byte UTF-8 (é, €, 😀) so byte lengths differ from string lengths. */
function textFrom(random: Prng, maxLength: number): string {
  const alphabet = ['a', 'Z', '0', '-', 'é', '€', '😀', ' '];
  const length = Math.floor(random.next() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random.next() * alphabet.length)];
  return text;
}

/** ASCII only, as the ids and names in this project's headers are. */
function asciiFrom(random: Prng, maxLength: number): string {
  const length = Math.floor(random.next() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(32 + Math.floor(random.next() * 95));
  return text;
}

export function bufferFrom(random: Prng, maxLength: number): Buffer {
  const out = Buffer.alloc(Math.floor(random.next() * (maxLength + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random.next() * 256);
  return out;
}

function bytes(random: Prng, maxLength: number): string | Buffer {
  const pick = random.next();
  return pick < 0.3
    ? textFrom(random, maxLength)
    : pick < 0.6
      ? asciiFrom(random, maxLength)
      : bufferFrom(random, maxLength);
}

export interface RandomMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers: Record<string, string | Buffer | Array<string | Buffer>>;
}

/** A message as producers pass it: key, value (up to 300 bytes) and up to 7 headers (some arrays, some over 64 characters). */
export function randomMessage(random: Prng): RandomMessage {
  const headers: RandomMessage['headers'] = {};
  const headerCount = Math.floor(random.next() * 8);
  for (let h = 0; h < headerCount; h++) {
    const key = `${textFrom(random, 12)}#${h}`;
    headers[key] = random.next() < 0.2 ? [bytes(random, 40), bytes(random, 40)] : bytes(random, 90);
  }
  // Up to 300 bytes: lengths from 1 to 3 varint bytes and records beyond kafkajs's 512-byte start.
  const bytesOrNull = (maxLength: number) => (random.next() < 0.1 ? null : bytes(random, maxLength));
  return { key: bytesOrNull(40), value: bytesOrNull(300), headers };
}
