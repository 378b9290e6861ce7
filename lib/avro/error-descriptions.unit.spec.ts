import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avroTypeOf } from './avro-encoding.ts';
import { describeType, describeValue } from './error-descriptions.ts';

describe('error descriptions', () => {
  it('names a type by its short name, an enum with its symbols, a union by its schema', () => {
    assert.equal(describeType(avroTypeOf('int')), 'int');
    assert.equal(describeType(avroTypeOf({ type: 'record', name: 'a.b.Address', fields: [] })), 'Address');
    assert.equal(
      describeType(avroTypeOf({ type: 'enum', name: 'a.Colour', symbols: ['red', 'blue'] })),
      'enum Colour (red | blue)',
    );
    assert.equal(describeType(avroTypeOf(['null', 'string'])), '["null","string"]');
    assert.equal(describeType(avroTypeOf({ type: 'array', items: 'int' })), 'array');
  });

  it('describes a value by its kind, showing short primitives and cutting long strings', () => {
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(undefined), 'undefined');
    assert.equal(describeValue([1, 2, 3]), 'array(3)');
    assert.equal(describeValue('abc'), 'string "abc"');
    assert.equal(describeValue('x'.repeat(40)), `string "${'x'.repeat(32)}…"`);
    assert.equal(describeValue(1.5), 'number 1.5');
    assert.equal(describeValue(false), 'boolean false');
    assert.equal(describeValue(10n), 'bigint 10');
    assert.equal(describeValue({ a: 1 }), 'object');
  });
});
