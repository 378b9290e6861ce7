/**
 * The static check: every forward step of the machine declares its compensation
 * (orchestrator/saga/saga-compensations.ts), and the declaration agrees with the machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compensationProblems } from '../../orchestrator/saga/compensation-check.ts';
import { orderSagaCompensations } from '../../orchestrator/saga/saga-compensations.ts';
import { orderSagaGraph, sagaGraphOf } from '../../orchestrator/saga/saga-graph.ts';
import { miniSaga, miniSagaCompensations } from '../support/mini-sagas.ts';

describe('every forward step declares its compensation', () => {
  it('the order saga: every forward step, with its compensation, in reverse order', () => {
    assert.deepEqual(compensationProblems(orderSagaGraph(), orderSagaCompensations), []);
  });

  it('fails for a step without a declared compensation (a new step added to the machine alone)', () => {
    assert.deepEqual(compensationProblems(sagaGraphOf(miniSaga('none')), miniSagaCompensations), []);
    assert.deepEqual(
      compensationProblems(sagaGraphOf(miniSaga('step-without-compensation')), miniSagaCompensations),
      ['forward step notifyingCustomer (NotifyCustomer) declares no compensation'],
    );
  });

  it('fails when the declaration loses a step', () => {
    const problems = compensationProblems(orderSagaGraph(), orderSagaCompensations.slice(0, 2));
    assert.deepEqual(problems, [
      'forward step schedulingShipping (ScheduleShipping) declares no compensation',
      'compensation cancellingShipping (CancelShipping) undoes no declared step',
    ]);
  });

  it('fails when the declaration disagrees with the machine', () => {
    const [reserve, pay, ship] = orderSagaCompensations;
    const wrongCommand = [
      reserve,
      { ...pay, compensation: { ...pay.compensation, command: 'ReleaseStock' } },
      ship,
    ];
    assert.deepEqual(compensationProblems(orderSagaGraph(), wrongCommand), [
      'processingPayment: the machine has no compensation refundingPayment sending ReleaseStock',
    ]);
    const swapped = [pay, reserve, ship];
    assert.ok(compensationProblems(orderSagaGraph(), swapped).length > 0, 'steps out of order');
  });
});
