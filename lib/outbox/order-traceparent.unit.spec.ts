import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeaderNames } from '../messaging/headers.ts';
import { orderTraceparent } from '../tracing/traceparent.ts';
import { withOrderTraceparent } from './order-traceparent.ts';

const orderId = '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21';

describe("an outbox row's traceparent", () => {
  test("a message about an order that continues no span gets its order's traceparent", () => {
    const headers = withOrderTraceparent({ [HeaderNames.orderId]: orderId });
    assert.equal(headers[HeaderNames.traceparent], orderTraceparent(orderId));
  });

  test("a message's own traceparent is kept, and a message about no order gets none", () => {
    const own = '00-0b8f6f643c5e4c679d7e2f0e0c0f4e21-1111111111111111-01';
    assert.equal(
      withOrderTraceparent({ [HeaderNames.orderId]: orderId, [HeaderNames.traceparent]: own })[
        HeaderNames.traceparent
      ],
      own,
    );
    assert.deepEqual(withOrderTraceparent({ [HeaderNames.messageId]: orderId }), {
      [HeaderNames.messageId]: orderId,
    });
  });
});
