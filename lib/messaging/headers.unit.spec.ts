import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderNames, type MessageMeta, MissingHeaderError, readMeta, toHeaders } from './headers.ts';

const meta: MessageMeta = {
  messageId: '01a23a1c-be87-70af-8f6c-0f52c13c2d1d',
  orderId: '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
  correlationId: '5a7e1c2e-8a4c-4a55-8e2b-f1b8d2c7a9e0',
  causationId: '01a23a1c-be87-70af-8f6c-0f52c13c2d1e',
  recordType: 'ReserveStock',
  occurredAt: '2026-12-03T04:00:00.000Z',
  traceparent: '00-0b8f6f643c5e4c679d7e2f0e0c0f4e21-9d7e2f0e0c0f4e21-01',
};

const refusedFor = (headers: Record<string, string>, header: string) =>
  assert.throws(
    () => readMeta(headers),
    (error: unknown) => error instanceof MissingHeaderError && error.header === header,
    header,
  );

describe('message headers', () => {
  test('what toHeaders writes, readMeta reads back; the causation id is optional', () => {
    assert.deepEqual(readMeta(toHeaders(meta)), meta);
    assert.deepEqual(readMeta(toHeaders({ ...meta, causationId: null })), { ...meta, causationId: null });
  });

  test('the traceparent travels as it is; an absent or invalid one is read as null', () => {
    const { traceparent: _none, ...untraced } = meta;
    assert.deepEqual(readMeta(toHeaders(untraced)), { ...untraced, traceparent: null });
    const invalid = { ...toHeaders(meta), [HeaderNames.traceparent]: '00-abc-def-01' };
    assert.equal(readMeta(invalid).traceparent, null);
    const zeros = `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`;
    assert.equal(readMeta({ ...toHeaders(meta), [HeaderNames.traceparent]: zeros }).traceparent, null);
  });

  test('a consumer with tracing off leaves the traceparent unread', () => {
    assert.equal(readMeta(toHeaders(meta), false).traceparent, null);
    assert.equal(readMeta(toHeaders(meta), true).traceparent, meta.traceparent);
  });

  test('an absent or empty header is named in the error', () => {
    for (const header of [HeaderNames.messageId, HeaderNames.recordType, HeaderNames.occurredAt]) {
      const { [header]: _dropped, ...rest } = toHeaders(meta);
      refusedFor(rest, header);
      refusedFor({ ...toHeaders(meta), [header]: '' }, header);
    }
  });

  test('ids that are not UUIDs and unknown record types are refused, naming the header', () => {
    for (const header of [
      HeaderNames.messageId,
      HeaderNames.orderId,
      HeaderNames.correlationId,
      HeaderNames.causationId,
    ]) {
      refusedFor({ ...toHeaders(meta), [header]: 'order-1' }, header);
    }
    refusedFor({ ...toHeaders(meta), [HeaderNames.recordType]: 'DropTables' }, HeaderNames.recordType);
    assert.throws(
      () => readMeta({ ...toHeaders(meta), [HeaderNames.orderId]: 'x' }),
      /no valid 'order-id' header/,
    );
  });
});
