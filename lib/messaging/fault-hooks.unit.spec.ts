import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import type { RecordName } from '../contracts/generated.ts';
import { heartbeatMeanwhile, withoutDropped } from './fault-hooks.ts';
import type { IncomingMessage } from './incoming-message.ts';

/** Only the record type matters to these hooks. */
const incoming = (type: RecordName): IncomingMessage =>
  ({ record: { type, payload: {} } }) as unknown as IncomingMessage;

describe('consumer fault hooks', () => {
  test('without a drop hook the batch is the same array; with one, the dropped messages are left out', () => {
    const messages = [incoming('ScheduleShipping'), incoming('CancelShipping'), incoming('ScheduleShipping')];
    assert.equal(withoutDropped(messages, undefined), messages);
    assert.deepEqual(
      withoutDropped(messages, (m) => m.record.type === 'ScheduleShipping').map((m) => m.record.type),
      ['CancelShipping'],
    );
  });

  test('a batch held by beforeHandle heartbeats every 3 s until the interval is cleared', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let heartbeats = 0;
      const keepAlive = heartbeatMeanwhile(async () => {
        heartbeats++;
        throw new Error('a failed heartbeat is not an unhandled rejection');
      });
      mock.timers.tick(2_999);
      assert.equal(heartbeats, 0);
      mock.timers.tick(6_001);
      assert.equal(heartbeats, 3);
      clearInterval(keepAlive);
      mock.timers.tick(30_000);
      assert.equal(heartbeats, 3);
    } finally {
      mock.timers.reset();
    }
  });
});
