import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { millisOfTimeOrderedId, timeOrderedIds } from '../ids.ts';
import {
  formatTraceparent,
  orderRootSpanId,
  orderTraceId,
  orderTraceparent,
  parseTraceparent,
} from './traceparent.ts';

const orderId = '0193A2B4-C5D6-7E8F-9A0B-1C2D3E4F5A6B';

describe('traceparent', () => {
  test('an order id gives its trace id (all 32 hex digits) and its root span id (the last 16)', () => {
    assert.equal(orderTraceId(orderId), '0193a2b4c5d67e8f9a0b1c2d3e4f5a6b');
    assert.equal(orderRootSpanId(orderId), '9a0b1c2d3e4f5a6b');
    assert.equal(orderTraceparent(orderId), '00-0193a2b4c5d67e8f9a0b1c2d3e4f5a6b-9a0b1c2d3e4f5a6b-00');
  });

  test('what formatTraceparent writes, parseTraceparent reads back', () => {
    const header = formatTraceparent('0193a2b4c5d67e8f9a0b1c2d3e4f5a6b', '00f067aa0ba902b7', true);
    assert.equal(header, '00-0193a2b4c5d67e8f9a0b1c2d3e4f5a6b-00f067aa0ba902b7-01');
    assert.deepEqual(parseTraceparent(header), {
      traceId: '0193a2b4c5d67e8f9a0b1c2d3e4f5a6b',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    assert.equal(parseTraceparent(header.replace(/-01$/, '-00'))?.sampled, false);
  });

  test('anything but a valid version-00 header is null: absent, malformed, upper case, zero ids', () => {
    for (const header of [
      undefined,
      null,
      '',
      '00-abc-def-01',
      '01-0193a2b4c5d67e8f9a0b1c2d3e4f5a6b-00f067aa0ba902b7-01',
      '00-0193A2B4C5D67E8F9A0B1C2D3E4F5A6B-00f067aa0ba902b7-01',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-0193a2b4c5d67e8f9a0b1c2d3e4f5a6b-${'0'.repeat(16)}-01`,
      '00-0193a2b4c5d67e8f9a0b1c2d3e4f5a6b-00f067aa0ba902b7-01-extra',
    ])
      assert.equal(parseTraceparent(header), null, String(header));
  });

  test('a time-ordered id says when it was made (the saga duration starts there)', () => {
    const at = Date.UTC(2026, 11, 7, 8, 0, 0, 123);
    const id = timeOrderedIds(() => at)();
    assert.equal(millisOfTimeOrderedId(id), at);
  });
});
