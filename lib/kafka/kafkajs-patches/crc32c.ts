/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches, by slicing-by-8: eight bytes per
 * step through eight 256-entry tables instead of kafkajs's one byte per step through one table
 * (27 against 90 µs for a 38 KB batch). The same values as kafkajs's
 * `protocol/recordBatch/crc32C` (`crc32c.unit.spec.ts`).
 */
const POLYNOMIAL = 0x82f63b78; // 0x1EDC6F41, bit-reversed

/** Table k (entries k × 256 … k × 256 + 255): the CRC of a byte followed by k zero bytes. */
const TABLES = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let crc = n;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
  TABLES[n] = crc;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const previous = TABLES[(k - 1) * 256 + n] as number;
    TABLES[k * 256 + n] = (TABLES[previous & 0xff] as number) ^ (previous >>> 8);
  }
}

/** An entry of the tables; the index is always in range (a byte plus a table offset). */
const table = (index: number): number => TABLES[index] as number;
/** A byte of the input; the loops keep the index in range. */
const byteAt = (bytes: Uint8Array, index: number): number => bytes[index] as number;

/** CRC-32C of `bytes[start, end)` as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = ~0;
  let i = start;
  for (const lastStart = end - 8; i <= lastStart; i += 8) {
    const low =
      crc ^
      (byteAt(bytes, i) |
        (byteAt(bytes, i + 1) << 8) |
        (byteAt(bytes, i + 2) << 16) |
        (byteAt(bytes, i + 3) << 24));
    crc =
      table(7 * 256 + (low & 0xff)) ^
      table(6 * 256 + ((low >>> 8) & 0xff)) ^
      table(5 * 256 + ((low >>> 16) & 0xff)) ^
      table(4 * 256 + (low >>> 24)) ^
      table(3 * 256 + byteAt(bytes, i + 4)) ^
      table(2 * 256 + byteAt(bytes, i + 5)) ^
      table(256 + byteAt(bytes, i + 6)) ^
      table(byteAt(bytes, i + 7));
  }
  for (; i < end; i++) crc = table((crc ^ byteAt(bytes, i)) & 0xff) ^ (crc >>> 8);
  return ~crc >>> 0;
}
