/**
 * The saga's state chart as boxes and arrows, laid out from the machine's own graph
 * (saga/saga-graph.ts), never drawn by hand: a state added to the machine appears on the chart.
 *
 * Layout: the forward steps left to right from the initial state, ending in the final state they
 * reach and the final states that follow it (completed → shipped → delivered); under them the compensations right to left, each under the step it undoes when the
 * machine is shaped that way, ending in the final state they reach; the waiting (operator) states
 * below. Any state the rules do not place goes to the bottom row, so none is ever left out.
 */
import type { SagaGraph, SagaGraphTransition, SagaStateKind } from '../saga/saga-graph.ts';

export interface ChartNode {
  name: string;
  kind: SagaStateKind;
  command: string | null;
  initial: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `forward`: towards completion; `compensation`: undoing; `failure`: to a waiting state; `operator`: out of one. */
export type ChartEdgeKind = 'forward' | 'compensation' | 'failure' | 'operator';

export interface ChartEdge {
  from: string;
  to: string;
  /** The events (with guards) that take this transition. */
  events: string[];
  kind: ChartEdgeKind;
  /** SVG path data, from the border of `from` to the border of `to` (a loop when they are the same). */
  path: string;
  labelX: number;
  labelY: number;
}

export interface StateChart {
  width: number;
  height: number;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

const nodeWidth = 150;
const nodeHeight = 44;
const columnWidth = 240;
const rowHeight = 140;
const margin = 40;

/** Shortest distance (in transitions) from each state to any of `targets`, walking `edges` backwards. */
function distancesTo(targets: readonly string[], edges: readonly SagaGraphTransition[]): Map<string, number> {
  const distance = new Map(targets.map((t) => [t, 0]));
  let frontier = [...targets];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const edge of edges) {
      if (frontier.includes(edge.to) && !distance.has(edge.from)) {
        distance.set(edge.from, (distance.get(edge.to) ?? 0) + 1);
        next.push(edge.from);
      }
    }
    frontier = next;
  }
  return distance;
}

/** Row and column of every state (see the module comment). */
function gridOf(graph: SagaGraph): Map<string, { row: number; column: number }> {
  const kindOf = new Map(graph.states.map((s) => [s.name, s.kind]));
  const moves = graph.transitions.filter((t) => t.from !== t.to);
  const reachedFrom = (name: string, kind: SagaStateKind) =>
    moves.some((t) => t.to === name && kindOf.get(t.from) === kind);
  // The top row after the forward steps: the final state they lead to that no compensation does
  // (completed), then the final states that follow it one after the other (shipped, delivered).
  const forwardFinals = graph.states
    .filter(
      (s) => s.kind === 'final' && reachedFrom(s.name, 'forward') && !reachedFrom(s.name, 'compensation'),
    )
    .map((s) => s.name);
  for (let last = forwardFinals; last.length > 0; ) {
    last = graph.states
      .filter((s) => s.kind === 'final' && !forwardFinals.includes(s.name))
      .filter((s) => moves.some((t) => t.to === s.name && last.includes(t.from)))
      .map((s) => s.name);
    forwardFinals.push(...last);
  }
  const compensationFinals = graph.states
    .filter((s) => s.kind === 'final' && !forwardFinals.includes(s.name))
    .filter((s) => moves.some((t) => t.to === s.name && kindOf.get(t.from) === 'compensation'))
    .map((s) => s.name);
  const offset = compensationFinals.length > 0 ? 1 : 0;
  const grid = new Map<string, { row: number; column: number }>();
  const taken = new Set<string>();
  const place = (name: string, row: number, column: number) => {
    let free = column;
    while (taken.has(`${row}:${free}`)) free++;
    taken.add(`${row}:${free}`);
    grid.set(name, { row, column: free });
  };
  // Forward steps by distance from the initial state, over forward steps only; then their final state.
  const forward = moves.filter((t) => kindOf.get(t.from) === 'forward' && kindOf.get(t.to) === 'forward');
  const depth = new Map([[graph.initial, 0]]);
  for (let frontier = [graph.initial]; frontier.length > 0; ) {
    frontier = forward
      .filter((t) => frontier.includes(t.from) && !depth.has(t.to))
      .map((t) => {
        depth.set(t.to, (depth.get(t.from) ?? 0) + 1);
        return t.to;
      });
  }
  for (const [name, d] of [...depth].sort((a, b) => a[1] - b[1])) place(name, 0, d + offset);
  const lastForward = Math.max(...depth.values());
  forwardFinals.forEach((name, i) => {
    place(name, 0, lastForward + 1 + i + offset);
  });
  for (const state of graph.states) {
    if (state.kind === 'final' && !compensationFinals.includes(state.name) && !grid.has(state.name)) {
      place(state.name, 0, lastForward + 1 + offset);
    }
  }
  // Compensations by how far they are from their final state, right to left.
  const toEnd = distancesTo(
    compensationFinals,
    moves.filter((t) => kindOf.get(t.from) === 'compensation'),
  );
  for (const name of compensationFinals) place(name, 1, 0);
  for (const state of graph.states) {
    const d = toEnd.get(state.name);
    if (state.kind === 'compensation' && d !== undefined) place(state.name, 1, d);
  }
  const widest = Math.max(0, ...[...grid.values()].map((g) => g.column));
  for (const state of graph.states) {
    if (!grid.has(state.name)) place(state.name, 2, state.kind === 'waiting' ? Math.floor(widest / 2) : 0);
  }
  return grid;
}

function edgeKind(from: SagaStateKind, to: SagaStateKind, toCompensationRow: boolean): ChartEdgeKind {
  if (from === 'waiting') return 'operator';
  if (to === 'waiting') return 'failure';
  if (to === 'compensation' || toCompensationRow) return 'compensation';
  return 'forward';
}

/** The point where the line from the centre of `box` towards (tx, ty) leaves the box. */
function borderPoint(box: ChartNode, tx: number, ty: number): [number, number] {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  const scale = 1 / Math.max(Math.abs(dx) / (box.width / 2), Math.abs(dy) / (box.height / 2), 1e-9);
  return [cx + dx * scale, cy + dy * scale];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A curve bending to the right of its direction, so that A→B and B→A do not overlap. */
function curve(from: ChartNode, to: ChartNode): Pick<ChartEdge, 'path' | 'labelX' | 'labelY'> {
  if (from === to) {
    const x = from.x + from.width - 24;
    const y = from.y;
    return {
      path: `M ${x} ${y} C ${x - 10} ${y - 40}, ${x + 40} ${y - 40}, ${x + 20} ${y}`,
      labelX: x + 14,
      labelY: y - 34,
    };
  }
  const fx = from.x + from.width / 2;
  const fy = from.y + from.height / 2;
  const tx = to.x + to.width / 2;
  const ty = to.y + to.height / 2;
  const length = Math.hypot(tx - fx, ty - fy);
  const bend = 22;
  const cx = (fx + tx) / 2 - ((ty - fy) / length) * bend;
  const cy = (fy + ty) / 2 + ((tx - fx) / length) * bend;
  const [sx, sy] = borderPoint(from, cx, cy);
  const [ex, ey] = borderPoint(to, cx, cy);
  return {
    path: `M ${round(sx)} ${round(sy)} Q ${round(cx)} ${round(cy)} ${round(ex)} ${round(ey)}`,
    labelX: round((sx + 2 * cx + ex) / 4),
    labelY: round((sy + 2 * cy + ey) / 4),
  };
}

const eventLabel = (t: SagaGraphTransition): string =>
  t.guard === null ? t.event : `${t.event} [${t.guard}]`;

/** The chart of a saga graph: every state a node, every (from, to) pair one edge with its events. */
export function stateChartOf(graph: SagaGraph): StateChart {
  const grid = gridOf(graph);
  const nodes = graph.states.map((state): ChartNode => {
    const cell = grid.get(state.name) ?? { row: 2, column: 0 };
    return {
      name: state.name,
      kind: state.kind,
      command: state.command,
      initial: state.name === graph.initial,
      x: margin + cell.column * columnWidth,
      y: margin + cell.row * rowHeight,
      width: nodeWidth,
      height: nodeHeight,
    };
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const pairs = new Map<string, SagaGraphTransition[]>();
  for (const t of graph.transitions) {
    const key = `${t.from}>${t.to}`;
    pairs.set(key, [...(pairs.get(key) ?? []), t]);
  }
  const edges = [...pairs.values()].map((transitions): ChartEdge => {
    const first = transitions[0] as SagaGraphTransition;
    const from = byName.get(first.from) as ChartNode;
    const to = byName.get(first.to) as ChartNode;
    const toCompensationRow = grid.get(to.name)?.row === 1;
    return {
      from: from.name,
      to: to.name,
      events: [...new Set(transitions.map(eventLabel))],
      kind: edgeKind(from.kind, to.kind, toCompensationRow),
      ...curve(from, to),
    };
  });
  return {
    width: Math.max(...nodes.map((n) => n.x + n.width)) + margin,
    height: Math.max(...nodes.map((n) => n.y + n.height)) + margin,
    nodes,
    edges,
  };
}
