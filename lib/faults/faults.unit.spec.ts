import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FastifyInstance, fastify } from 'fastify';
import type { AuditEntry } from '../audit/audit-entry.ts';
import type { AuditRecorder } from '../audit/audit-trail.ts';
import type { RecordName, TypedRecord } from '../contracts/generated.ts';
import { installStrictValidation } from '../http/validation.ts';
import type { IncomingMessage } from '../messaging/message-consumer.ts';
import { isTransientError } from '../messaging/transient-errors.ts';
import { type FaultView, registerFaultRoutes } from './fault-routes.ts';
import { FaultInjectedError, FaultSwitch } from './fault-switch.ts';

const commands = { forward: ['ReserveStock'], compensations: ['ReleaseStock'] } as const;
const fixedClock = () => new Date('2026-11-22T10:00:00.000Z');

/** An audit trail in memory; `failing` makes its transaction fail (as a database error would). */
class RecordedAudit implements AuditRecorder {
  readonly service = 'inventory';
  readonly entries: AuditEntry[] = [];
  failing = false;
  async record(entry: AuditEntry) {
    if (this.failing) throw new Error('audit transaction failed');
    this.entries.push(entry);
    return { auditId: '00000000-0000-4000-8000-0000000000aa', at: fixedClock() };
  }
}

async function given(): Promise<{ app: FastifyInstance; faults: FaultSwitch; audit: RecordedAudit }> {
  const app = fastify();
  installStrictValidation(app);
  // The auth hook's result (lib/http/auth.ts is tested on its own): every call here is an operator's.
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = { sub: 'operator-1', roles: ['operator'] };
  });
  const faults = new FaultSwitch(fixedClock);
  const audit = new RecordedAudit();
  registerFaultRoutes(app, faults, { commands, audit });
  await app.ready();
  return { app, faults, audit };
}

const post = (app: FastifyInstance, payload: unknown) =>
  app.inject({ method: 'POST', url: '/faults', payload: payload as object });

const message = (type: RecordName): IncomingMessage => ({
  topic: 'inventory-commands',
  partition: 0,
  offset: '0',
  meta: {
    messageId: '00000000-0000-4000-8000-000000000001',
    orderId: '00000000-0000-4000-8000-000000000002',
    correlationId: '00000000-0000-4000-8000-000000000003',
    causationId: null,
    recordType: type,
    occurredAt: fixedClock().toISOString(),
  },
  record: { type, payload: {} } as unknown as TypedRecord,
});

describe('fault routes', () => {
  it('GET /faults shows normal behaviour when no fault is on', async () => {
    const { app } = await given();
    const response = await app.inject({ method: 'GET', url: '/faults' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { mode: 'none', commands: [], delayMs: null, since: null });
  });

  it('POST /faults switches a fault on for every command by default and GET shows it', async () => {
    const { app, faults } = await given();
    const response = await post(app, { mode: 'silent' });
    assert.equal(response.statusCode, 200);
    const expected: FaultView = {
      mode: 'silent',
      commands: ['ReserveStock', 'ReleaseStock'],
      delayMs: null,
      since: '2026-11-22T10:00:00.000Z',
    };
    assert.deepEqual(response.json(), expected);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/faults' })).json(), expected);
    assert.equal(faults.active?.mode, 'silent');
  });

  it('decline defaults to the forward commands only', async () => {
    const { app } = await given();
    const response = await post(app, { mode: 'decline' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json<FaultView>().commands, ['ReserveStock']);
  });

  it('slow defaults to 2000 ms and accepts a delay and a command list', async () => {
    const { app } = await given();
    assert.equal((await post(app, { mode: 'slow' })).json<FaultView>().delayMs, 2000);
    const response = await post(app, { mode: 'slow', delayMs: 150, commands: ['ReleaseStock'] });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json<FaultView>(), {
      mode: 'slow',
      commands: ['ReleaseStock'],
      delayMs: 150,
      since: '2026-11-22T10:00:00.000Z',
    });
  });

  it('an unknown field is a 400 naming it (never silently stripped)', async () => {
    const { app, faults } = await given();
    const response = await post(app, { mode: 'fail', delay: 5 });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ message: string }>().message, /delay\b/);
    assert.equal(faults.active, null);
  });

  it('a wrong mode, a missing mode, a delay out of range and a string delay are 400s naming the field', async () => {
    const { app } = await given();
    const cases: Array<[unknown, RegExp]> = [
      [{ mode: 'explode' }, /mode/],
      [{}, /mode/],
      [{ mode: 'slow', delayMs: 60_001 }, /delayMs/],
      [{ mode: 'slow', delayMs: '100' }, /delayMs/],
      [{ mode: 'slow', delayMs: 1.5 }, /delayMs/],
      [{ mode: 'fail', commands: [] }, /commands/],
    ];
    for (const [body, field] of cases) {
      const response = await post(app, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.match(response.json<{ message: string }>().message, field, JSON.stringify(body));
    }
  });

  it('a command of another participant is a 400 naming it', async () => {
    const { app, faults } = await given();
    const response = await post(app, { mode: 'fail', commands: ['ReserveStock', 'ProcessPayment'] });
    assert.equal(response.statusCode, 400);
    assert.match(
      response.json<{ message: string }>().message,
      /'ProcessPayment' is not a command of this participant/,
    );
    assert.equal(faults.active, null);
  });

  it('decline of a compensation and delayMs outside slow are 400s', async () => {
    const { app } = await given();
    const decline = await post(app, { mode: 'decline', commands: ['ReleaseStock'] });
    assert.equal(decline.statusCode, 400);
    assert.match(decline.json<{ message: string }>().message, /'ReleaseStock' is a compensation/);
    const delay = await post(app, { mode: 'fail', delayMs: 100 });
    assert.equal(delay.statusCode, 400);
    assert.match(delay.json<{ message: string }>().message, /delayMs only applies to mode 'slow'/);
  });

  it('DELETE /faults restores normal behaviour (204), also when nothing was on', async () => {
    const { app, faults } = await given();
    await post(app, { mode: 'fail' });
    const response = await app.inject({ method: 'DELETE', url: '/faults' });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    assert.equal(faults.active, null);
    assert.equal((await app.inject({ method: 'GET', url: '/faults' })).json<FaultView>().mode, 'none');
    assert.equal((await app.inject({ method: 'DELETE', url: '/faults' })).statusCode, 204);
  });

  it('every switch is audited (fault_set with the fault, fault_cleared with the one cleared); a 400 is not', async () => {
    const { app, audit } = await given();
    await post(app, { mode: 'slow', delayMs: 150, commands: ['ReleaseStock'] });
    assert.equal((await post(app, { mode: 'explode' })).statusCode, 400);
    await app.inject({ method: 'DELETE', url: '/faults' });
    assert.deepEqual(
      audit.entries.map(({ correlationId, ...entry }) => entry),
      [
        {
          actor: 'operator-1',
          role: 'operator',
          action: 'fault_set',
          target: 'faults:inventory',
          outcome: 'applied',
          detail: { fault: { mode: 'slow', commands: ['ReleaseStock'], delayMs: 150 } },
        },
        {
          actor: 'operator-1',
          role: 'operator',
          action: 'fault_cleared',
          target: 'faults:inventory',
          outcome: 'applied',
          detail: {
            fault: {
              mode: 'slow',
              commands: ['ReleaseStock'],
              delayMs: 150,
              since: fixedClock().toISOString(),
            },
          },
        },
      ],
    );
  });

  it('a switch whose audit record does not commit changes nothing', async () => {
    const { app, faults, audit } = await given();
    audit.failing = true;
    assert.equal((await post(app, { mode: 'fail' })).statusCode, 500);
    assert.equal(faults.active, null, 'not switched on');
    audit.failing = false;
    await post(app, { mode: 'fail' });
    audit.failing = true;
    assert.equal((await app.inject({ method: 'DELETE', url: '/faults' })).statusCode, 500);
    assert.equal(faults.matches('fail', 'ReserveStock'), true, 'not cleared');
  });

  it('a new POST replaces the active fault', async () => {
    const { app, faults } = await given();
    await post(app, { mode: 'fail' });
    await post(app, { mode: 'silent', commands: ['ReleaseStock'] });
    assert.equal(faults.matches('fail', 'ReserveStock'), false);
    assert.equal(faults.matches('silent', 'ReleaseStock'), true);
  });
});

describe('FaultSwitch decisions', () => {
  it('does nothing when no fault is on', async () => {
    const faults = new FaultSwitch(fixedClock);
    assert.equal(faults.declines('ReserveStock'), false);
    assert.doesNotThrow(() => faults.failIfInjected('ReserveStock'));
    assert.equal(faults.drop(message('ReserveStock')), false);
    assert.equal(faults.delayFor(['ReserveStock']), 0);
  });

  it('decline applies to the named commands only', () => {
    const faults = new FaultSwitch(fixedClock);
    faults.activate({ mode: 'decline', commands: ['ReserveStock'] });
    assert.equal(faults.declines('ReserveStock'), true);
    assert.equal(faults.declines('ReleaseStock'), false);
    assert.doesNotThrow(() => faults.failIfInjected('ReserveStock'));
    assert.equal(faults.drop(message('ReserveStock')), false);
  });

  it('fail throws FaultInjectedError (not retriable as transient) for the named commands', () => {
    const faults = new FaultSwitch(fixedClock);
    faults.activate({ mode: 'fail', commands: ['ReleaseStock'] });
    assert.throws(
      () => faults.failIfInjected('ReleaseStock'),
      (error: unknown) =>
        error instanceof FaultInjectedError && error.command === 'ReleaseStock' && !isTransientError(error),
    );
    assert.doesNotThrow(() => faults.failIfInjected('ReserveStock'));
    assert.equal(faults.declines('ReleaseStock'), false);
  });

  it('silent drops the named commands through the consumer hook', () => {
    const faults = new FaultSwitch(fixedClock);
    faults.activate({ mode: 'silent', commands: ['ReserveStock'] });
    const { drop } = faults.consumerHooks();
    assert.equal(drop(message('ReserveStock')), true);
    assert.equal(drop(message('ReleaseStock')), false);
  });

  it('slow delays a batch that holds a named command, and DELETE ends the wait early', async () => {
    const faults = new FaultSwitch(fixedClock);
    faults.activate({ mode: 'slow', commands: ['ReserveStock'], delayMs: 40 });
    assert.equal(faults.delayFor(['ReleaseStock']), 0);
    assert.equal(faults.delayFor(['ReleaseStock', 'ReserveStock']), 40);

    let started = performance.now();
    await faults.beforeHandle([message('ReserveStock')]);
    assert.ok(performance.now() - started >= 35, 'waited about delayMs');

    started = performance.now();
    await faults.beforeHandle([message('ReleaseStock')]);
    assert.ok(performance.now() - started < 20, 'an unaffected batch does not wait');

    faults.activate({ mode: 'slow', commands: ['ReserveStock'], delayMs: 60_000 });
    started = performance.now();
    const waiting = faults.beforeHandle([message('ReserveStock')]);
    setTimeout(() => faults.reset(), 20);
    await waiting;
    assert.ok(performance.now() - started < 5_000, 'reset ends a slow wait');
  });

  it('rejects invalid settings', () => {
    const faults = new FaultSwitch(fixedClock);
    assert.throws(
      () => faults.activate({ mode: 'slow', commands: ['ReserveStock'], delayMs: 60_001 }),
      RangeError,
    );
    assert.throws(
      () => faults.activate({ mode: 'fail', commands: ['ReserveStock'], delayMs: 10 }),
      RangeError,
    );
    assert.throws(() => faults.activate({ mode: 'fail', commands: [] }), RangeError);
    assert.equal(faults.active, null);
  });
});
