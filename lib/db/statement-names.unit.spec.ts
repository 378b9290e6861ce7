import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatementNames } from './statement-names.ts';

describe('statement names (pure)', () => {
  test('one name per text, the same every time; different texts never share a name', () => {
    const names = new StatementNames();
    const a = names.nameOf('select 1 where x = $1');
    const b = names.nameOf('select 2 where x = $1');
    assert.ok(a && b);
    assert.notEqual(a, b);
    assert.equal(names.nameOf('select 1 where x = $1'), a);
    assert.equal(names.size, 2);
  });

  test('beyond the limit texts run unnamed, the known ones keep their names, and onFull is called once', () => {
    const full: number[] = [];
    const names = new StatementNames({ limit: 2, onFull: (limit) => full.push(limit) });
    const first = names.nameOf('q1');
    names.nameOf('q2');
    assert.equal(names.nameOf('q3'), undefined);
    assert.equal(names.nameOf('q4'), undefined);
    assert.equal(names.nameOf('q1'), first);
    assert.deepEqual(full, [2]);
    assert.equal(new StatementNames({ limit: 0 }).nameOf('q1'), undefined, 'limit 0: nothing is prepared');
    assert.throws(() => new StatementNames({ limit: -1 }), />= 0/);
  });
});
