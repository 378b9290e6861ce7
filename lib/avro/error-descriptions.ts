/**
 * Short descriptions of Avro types and JavaScript values, for the messages of the codec's errors
 * (`items.0.quantity: expected int, got number 1.5`).
 */
import type avsc from 'avsc';

/** An Avro type by its short name: `int`, `ShippingAddress`, `enum CancelReason (a | b)`, `["null","string"]`. */
export function describeType(t: avsc.Type): string {
  const short = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
  if (t.typeName === 'enum') {
    const symbols = (t as unknown as { symbols: readonly string[] }).symbols;
    return `enum ${short(t.name ?? '')} (${symbols.join(' | ')})`;
  }
  if (t.name) return short(t.name);
  if (t.typeName.startsWith('union')) return JSON.stringify(t.schema());
  return t.typeName;
}

/** A value by its kind, with short primitives shown: `null`, `array(3)`, `string "abc"`, `number 1.5`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return `${typeof v} ${String(v)}`;
  return typeof v;
}
