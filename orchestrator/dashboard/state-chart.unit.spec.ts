import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyStateNode } from 'xstate';
import { orderSagaMachine } from '../saga/order-saga.machine.ts';
import { orderSagaGraph } from '../saga/saga-graph.ts';
import { type ChartNode, stateChartOf } from './state-chart.ts';

const overlaps = (a: ChartNode, b: ChartNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('state chart (laid out from the machine definition)', () => {
  const chart = stateChartOf(orderSagaGraph());

  it('has a node for every state of the machine and an edge for every transition between two', () => {
    // Read from the machine itself, not from a list: a state added to the machine must be on the chart.
    const machineStates = Object.values(orderSagaMachine.root.states as Record<string, AnyStateNode>);
    assert.deepEqual(chart.nodes.map((n) => n.name).sort(), machineStates.map((s) => s.key).sort());
    const pairs = new Set(chart.edges.map((e) => `${e.from}>${e.to}`));
    for (const state of machineStates) {
      for (const [event, transitions] of state.transitions) {
        for (const t of transitions) {
          const to = t.target?.[0]?.key ?? '';
          assert.ok(pairs.has(`${state.key}>${to}`), `${state.key} on ${event} → ${to}`);
        }
      }
    }
  });

  it('places every node inside the chart, none on another', () => {
    for (const node of chart.nodes) {
      assert.ok(node.x >= 0 && node.x + node.width <= chart.width, node.name);
      assert.ok(node.y >= 0 && node.y + node.height <= chart.height, node.name);
      for (const other of chart.nodes) {
        if (other !== node) assert.ok(!overlaps(node, other), `${node.name} overlaps ${other.name}`);
      }
    }
  });

  it('puts the forward steps in the top row, each compensation under the step it undoes', () => {
    const at = Object.fromEntries(chart.nodes.map((n) => [n.name, n]));
    const top = chart.nodes.filter((n) => n.y === at.reservingStock?.y).map((n) => n.name);
    assert.deepEqual(top, [
      'reservingStock',
      'processingPayment',
      'schedulingShipping',
      'completed',
      'shipped',
      'delivered',
    ]);
    assert.equal(at.releasingStock?.x, at.reservingStock?.x);
    assert.equal(at.refundingPayment?.x, at.processingPayment?.x);
    assert.equal(at.cancellingShipping?.x, at.schedulingShipping?.x);
    assert.ok((at.failed?.y ?? 0) > (at.releasingStock?.y ?? 0), 'the operator-waiting state is below');
  });

  it('tells forward, compensation, failure and operator edges apart', () => {
    const kind = (from: string, to: string) => chart.edges.find((e) => e.from === from && e.to === to)?.kind;
    assert.equal(kind('reservingStock', 'processingPayment'), 'forward');
    assert.equal(kind('processingPayment', 'releasingStock'), 'compensation');
    assert.equal(kind('reservingStock', 'cancelled'), 'compensation');
    assert.equal(kind('releasingStock', 'failed'), 'failure');
    assert.equal(kind('failed', 'releasingStock'), 'operator');
    assert.equal(kind('completed', 'shipped'), 'forward');
    assert.equal(kind('shipped', 'delivered'), 'forward');
    assert.ok(
      chart.edges.some((e) => e.from === e.to),
      'a deadline re-send is a loop',
    );
  });

  it('places a state no rule knows in the bottom row instead of leaving it out', () => {
    const graph = orderSagaGraph();
    const extra = structuredClone(graph);
    extra.states.push({ name: 'auditing', kind: 'waiting', command: null, publishes: [] });
    extra.states.push({ name: 'orphan', kind: 'forward', command: 'Nothing', publishes: [] });
    const names = stateChartOf(extra).nodes.map((n) => n.name);
    assert.deepEqual(names.sort(), [...graph.states.map((s) => s.name), 'auditing', 'orphan'].sort());
  });
});
