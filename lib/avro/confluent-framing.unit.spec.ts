import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSchemaId, FRAME_HEADER_SIZE, frame, MAGIC_BYTE, unframe } from './confluent-framing.ts';

const notFramed = { name: 'AvroDecodeError', reason: 'not_confluent_framed' };

describe('Confluent framing', () => {
  it('frames as magic byte 0 + 4-byte big-endian schema id + body, and unframes back', () => {
    const body = Buffer.from([1, 2, 3]);
    const framed = frame(0x01020304, body);
    assert.deepEqual([...framed], [0, 1, 2, 3, 4, 1, 2, 3]);
    const { schemaId, body: back } = unframe(framed);
    assert.equal(schemaId, 0x01020304);
    assert.deepEqual(back, body);
  });

  it('frames an empty body', () => {
    assert.equal(frame(7, Buffer.alloc(0)).length, FRAME_HEADER_SIZE);
    assert.equal(unframe(frame(7, Buffer.alloc(0))).body.length, 0);
  });

  it('round-trips the smallest and the largest schema id the header holds', () => {
    for (const id of [0, 0x7fffffff]) {
      const framed = frame(id, Buffer.from([9]));
      assert.equal(framed[0], MAGIC_BYTE);
      assert.equal(unframe(framed).schemaId, id);
    }
  });

  it('unframes without copying: the body is a view of the message', () => {
    const message = frame(5, Buffer.from([1, 2, 3]));
    const { body } = unframe(message);
    assert.equal(body.buffer, message.buffer);
    assert.equal(body.byteOffset, message.byteOffset + FRAME_HEADER_SIZE);
  });

  it('rejects schema ids that do not fit the header', () => {
    assert.throws(() => frame(-1, Buffer.alloc(0)), RangeError);
    assert.throws(() => frame(2 ** 31, Buffer.alloc(0)), RangeError);
    assert.throws(() => frame(1.5, Buffer.alloc(0)), RangeError);
    assert.throws(() => assertSchemaId(Number.NaN), /invalid schema id: NaN/);
    assert.doesNotThrow(() => assertSchemaId(0x7fffffff));
  });

  it('reports garbage as not_confluent_framed', () => {
    assert.throws(() => unframe(Buffer.from('{"orderId":"x"}')), notFramed);
    assert.throws(() => unframe(Buffer.from([0, 0, 1])), notFramed);
    assert.throws(() => unframe(Buffer.alloc(0)), notFramed);
    assert.throws(() => unframe(Buffer.from([0, 0xff, 0xff, 0xff, 0xff])), notFramed);
    assert.throws(() => unframe('nope' as unknown as Buffer), notFramed);
  });

  it('says why a message is not framed', () => {
    assert.throws(() => unframe(Buffer.from([0x7b, 0, 0, 0, 1])), /magic byte is 0x7b, expected 0x00/);
    assert.throws(() => unframe(Buffer.from([0, 0, 1])), /3 bytes is shorter than the 5-byte/);
    assert.throws(() => unframe(Buffer.from([0, 0x80, 0, 0, 0])), /negative schema id -2147483648/);
    assert.throws(() => unframe('nope' as unknown as Buffer), /expected a Buffer, got string "nope"/);
  });
});
