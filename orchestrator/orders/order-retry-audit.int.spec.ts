/**
 * The operator's retry is audited (PostgreSQL): POST /orders/:id/retry through the orchestrator's
 * app, on a real database. The audit row commits with the resumed saga, or neither does; a refusal
 * and an unknown order are audited too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { createLogger } from '../../lib/logger.ts';
import { auditRowsOf, orchestratorAppOn } from '../../test/support/orchestrator-app.ts';
import {
  applyEventOfType,
  newOrderRecord,
  runnerWithLongDeadlines,
} from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { bearer } from '../../test/support/tokens.ts';
import type { SagaEvent } from '../saga/saga-types.ts';

const logger = createLogger('retry-audit-it', 'fatal'); // the forced failure's 500 is logged as an error

describe('operator retry, audited (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  /** Set by a test: runs inside the retry's unit of work after its work, before the commit. */
  let beforeCommit: ((unit: Parameters<Parameters<UnitOfWorkRunner['run']>[0]>[0]) => void) | null = null;
  const runner = runnerWithLongDeadlines();

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    const units: UnitOfWorkRunner = {
      run: (work) =>
        database.units.run(async (unit) => {
          const result = await work(unit);
          beforeCommit?.(unit);
          return result;
        }),
      close: () => database.units.close(),
    };
    app = await orchestratorAppOn(database, runner, logger, units);
  });
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  const apply = (orderId: string, type: SagaEvent['type']) =>
    applyEventOfType(database.units, runner, orderId, type);
  const sagaOf = async (orderId: string) =>
    (await database.db('orders.sagas').where({ order_id: orderId }).first('state', 'version')) as {
      state: string;
      version: number;
    };

  /** A saga that reserved stock, failed payment, and could not release the stock: FAILED. */
  async function failedSaga(): Promise<string> {
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    await apply(order.orderId, 'StockReserved');
    await apply(order.orderId, 'PaymentFailed');
    for (let attempt = 0; attempt < 10 && (await sagaOf(order.orderId)).state !== 'failed'; attempt++)
      await apply(order.orderId, 'DEADLINE_PASSED');
    assert.equal((await sagaOf(order.orderId)).state, 'failed');
    return order.orderId;
  }

  const retry = (orderId: string) =>
    app.inject({
      method: 'POST',
      url: `/orders/${orderId}/retry`,
      headers: { 'x-request-id': randomUUID(), ...bearer('operator') },
    });
  const auditOf = (orderId: string) => auditRowsOf(database, orderId);
  const auditMessagesOf = (orderId: string) =>
    database
      .db('orders.outbox')
      .where({ message_key: `order:${orderId}`, record_type: 'AuditRecorded' })
      .select('headers', 'payload');

  test('a retry of a FAILED saga resumes it and is audited as applied, in the same transaction', async () => {
    const orderId = await failedSaga();
    const requestId = randomUUID();
    const response = await app.inject({
      method: 'POST',
      url: `/orders/${orderId}/retry`,
      headers: { 'x-request-id': requestId, ...bearer('operator') },
    });
    assert.equal(response.statusCode, 202);
    assert.equal((await sagaOf(orderId)).state, 'releasingStock', 'the saga resumed');
    const rows = await auditOf(orderId);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { ...rows[0], audit_id: undefined, at: undefined },
      {
        audit_id: undefined,
        actor: 'operator-1',
        role: 'operator',
        action: 'retry',
        target: `order:${orderId}`,
        outcome: 'applied',
        detail: { from: 'failed', to: 'releasingStock' },
        at: undefined,
      },
    );
    const [message] = await auditMessagesOf(orderId);
    assert.ok(message, 'AuditRecorded is in the outbox');
    assert.equal(message.headers['order-id'], orderId);
    assert.equal(message.headers['correlation-id'], requestId);
    assert.equal(message.headers['message-id'], rows[0].audit_id);
    assert.equal(JSON.parse(message.payload.toString()).outcome, 'applied');
  });

  test('when the retry transaction fails, neither the resumed saga nor its audit record is kept', async () => {
    const orderId = await failedSaga();
    const before = await sagaOf(orderId);
    beforeCommit = (unit) =>
      unit.writes.addCheck('select 1 where false', [], {
        rows: 1,
        error: () => new Error('forced failure of the retry transaction'),
      });
    try {
      assert.equal((await retry(orderId)).statusCode, 500);
    } finally {
      beforeCommit = null;
    }
    assert.deepEqual(await sagaOf(orderId), before, 'the saga is still FAILED, same version');
    assert.deepEqual(await auditOf(orderId), []);
    assert.deepEqual(await auditMessagesOf(orderId), []);
  });

  test('a refused retry (409) is audited as rejected, and the saga is untouched', async () => {
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const before = await sagaOf(order.orderId);
    const response = await retry(order.orderId);
    assert.equal(response.statusCode, 409);
    assert.deepEqual(await sagaOf(order.orderId), before);
    const rows = await auditOf(order.orderId);
    assert.deepEqual(
      rows.map((r) => [r.action, r.outcome, r.detail.state]),
      [['retry', 'rejected', 'reservingStock']],
    );
    assert.equal((await auditMessagesOf(order.orderId)).length, 1);
    const listed = await app.inject({
      method: 'GET',
      url: `/audit?target=order:${order.orderId}`,
      headers: bearer('operator'),
    });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(
      listed.json().items.map((i: { outcome: string }) => i.outcome),
      ['rejected'],
    );
  });

  test('a retry of an unknown order (404) is audited as not_found', async () => {
    const orderId = randomUUID();
    assert.equal((await retry(orderId)).statusCode, 404);
    assert.deepEqual(
      (await auditOf(orderId)).map((r) => [r.action, r.outcome]),
      [['retry', 'not_found']],
    );
  });
});
