import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isUuid, nameBasedUuid, nameBasedUuidSortedWith, timeOrderedIds } from './ids.ts';

const version7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp of a version 7 UUID. */
const millisOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('timeOrderedIds (UUID version 7)', () => {
  test('every id is a version 7, RFC variant UUID carrying the clock’s millisecond', () => {
    let now = Date.UTC(2026, 11, 2, 9, 0, 0, 123);
    const next = timeOrderedIds(() => now);
    for (let i = 0; i < 2_000; i += 1) {
      now += i % 3; // several ids per millisecond, then later ones
      const id = next();
      assert.match(id, version7);
      assert.ok(isUuid(id));
      assert.equal(millisOf(id), now, id);
    }
  });

  test('ids sort in the order they were made: within a millisecond, past the counter, and when the clock steps back', () => {
    const times = [
      ...Array.from({ length: 10_000 }, () => 1_000), // more ids in one millisecond than the counter holds
      ...Array.from({ length: 100 }, () => 999), // the clock stepped back
      ...Array.from({ length: 100 }, (_, i) => 50_000 + i),
    ];
    let call = 0;
    const next = timeOrderedIds(() => times[call++] ?? 0);
    const ids = times.map(() => next());
    for (let i = 1; i < ids.length; i += 1) {
      assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} then ${ids[i]} (id ${i})`);
    }
    assert.equal(millisOf(ids[0] as string), 1_000);
    assert.ok(millisOf(ids[9_999] as string) > 1_000, 'a full counter moves the timestamp on');
    assert.equal(millisOf(ids.at(-1) as string), 50_099);
  });

  test('two generators in the same millisecond do not collide', () => {
    const a = timeOrderedIds(() => 42);
    const b = timeOrderedIds(() => 42);
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) {
      seen.add(a());
      seen.add(b());
    }
    assert.equal(seen.size, 40_000);
  });
});

describe('nameBasedUuid (UUID version 5)', () => {
  test('is stable for the same inputs and differs for others', () => {
    const ns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    assert.equal(nameBasedUuid(ns, 'ReserveStock#0'), nameBasedUuid(ns, 'ReserveStock#0'));
    assert.notEqual(nameBasedUuid(ns, 'ReserveStock#0'), nameBasedUuid(ns, 'ReserveStock#1'));
    assert.match(
      nameBasedUuid(ns, 'x'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    // RFC 9562's example: the DNS namespace and "www.example.com".
    assert.equal(nameBasedUuid(ns, 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
    assert.throws(() => nameBasedUuid('not-a-uuid', 'x'), /namespace must be a UUID/);
  });

  test('equals RFC 9562 §5.5 computed directly, for short, long (beyond the scratch buffer) and non-ASCII names', () => {
    const reference = (namespace: string, name: string): string => {
      const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
      const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    const namespaces = [
      '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
      timeOrderedIds()(),
      'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6',
    ];
    const names = [
      '',
      'ReserveStock#0',
      'Zahlung über €12',
      'x'.repeat(1_000),
      'é'.repeat(300),
      'ProcessPayment#1',
    ];
    for (const namespace of namespaces) {
      for (const name of names)
        assert.equal(
          nameBasedUuid(namespace, name),
          reference(namespace, name),
          `${namespace} ${name.slice(0, 20)}`,
        );
    }
    assert.throws(() => nameBasedUuid('6ba7b810-9dad-11d1-80b4', 'x'), /namespace must be a UUID/);
    assert.throws(() => nameBasedUuid(`${namespaces[0]}00`, 'x'), /namespace must be a UUID/);
  });
});

describe('nameBasedUuidSortedWith', () => {
  test('under a time-ordered namespace: version 8, the namespace’s timestamp first, deterministic', () => {
    const next = timeOrderedIds(() => Date.UTC(2026, 11, 2));
    const order = next();
    const id = nameBasedUuidSortedWith(order, 'ReserveStock#0');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id.slice(0, 13), order.slice(0, 13));
    assert.equal(nameBasedUuidSortedWith(order, 'ReserveStock#0'), id);
    assert.notEqual(nameBasedUuidSortedWith(order, 'ReserveStock#1'), id);
    assert.notEqual(nameBasedUuidSortedWith(next(), 'ReserveStock#0'), id, 'another order, another id');
    // The hash part is the version 5 id's, so nothing of its spread is lost beyond the timestamp bits.
    const hashed = nameBasedUuid(order, 'ReserveStock#0');
    assert.equal(id.slice(15), hashed.slice(15));
  });

  test('ids of later orders sort after those of earlier ones', () => {
    let now = 1_000;
    const next = timeOrderedIds(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      now += 1;
      ids.push(nameBasedUuidSortedWith(next(), 'ProcessPayment#0'));
    }
    assert.deepEqual([...ids].sort(), ids);
  });

  test('under any other namespace it is the version 5 id, as before ids were time-ordered', () => {
    const random = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.equal(nameBasedUuidSortedWith(random, 'ReserveStock#0'), nameBasedUuid(random, 'ReserveStock#0'));
  });
});
