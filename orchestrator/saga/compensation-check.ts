/**
 * The saga's compensation rules as checks over its graph (saga-graph.ts) and its declared
 * compensations (saga-compensations.ts). Pure: they return the problems found, empty when none.
 *
 * - `compensationProblems`, static: every forward step of the machine declares its compensation, the
 *   compensation exists and sends the declared command, and compensations hand over in reverse order.
 * - `pathProblems`, one path of the machine (from its initial state): it ends in a final state or
 *   one waiting for an operator; every forward step that took effect (or whose effect is unknown
 *   after its deadline) is undone exactly once and in reverse order before the saga is cancelled.
 *   A compensation may be given up (into a final state: by a carrier's pickup once it failed, or by
 *   a compensation's reply that says it came too late, into a state it declares in `tooLateInto`)
 *   only while nothing has been undone.
 */
import type { StepCompensation } from './saga-compensations.ts';
import type { SagaGraph, SagaGraphState } from './saga-graph.ts';

const targetsOf = (graph: SagaGraph, from: string, event: string): string[] =>
  graph.transitions.filter((t) => t.from === from && t.event === event).map((t) => t.to);

const stateIn = (graph: SagaGraph, name: string): SagaGraphState | undefined =>
  graph.states.find((s) => s.name === name);

/** Static check of the declared compensations against the machine's graph. */
export function compensationProblems(graph: SagaGraph, declared: readonly StepCompensation[]): string[] {
  const problems: string[] = [];
  for (const state of graph.states) {
    if (state.kind === 'forward' && !declared.some((d) => d.step === state.name)) {
      problems.push(`forward step ${state.name} (${state.command}) declares no compensation`);
    }
    if (state.kind === 'compensation' && !declared.some((d) => d.compensation.state === state.name)) {
      problems.push(`compensation ${state.name} (${state.command}) undoes no declared step`);
    }
  }
  // The last compensation ends the saga for good: in a final state that takes no further event.
  const finals = graph.states
    .filter((s) => s.kind === 'final' && !graph.transitions.some((t) => t.from === s.name))
    .map((s) => s.name);
  declared.forEach((d, i) => {
    const step = stateIn(graph, d.step);
    if (step?.kind !== 'forward' || step.command !== d.command) {
      problems.push(`${d.step}: the machine has no forward step ${d.step} sending ${d.command}`);
    }
    const undo = d.compensation;
    const compensation = stateIn(graph, undo.state);
    if (compensation?.kind !== 'compensation' || compensation.command !== undo.command) {
      problems.push(`${d.step}: the machine has no compensation ${undo.state} sending ${undo.command}`);
    }
    if (declared.some((other) => other !== d && other.compensation.state === undo.state)) {
      problems.push(`${d.step}: its compensation ${undo.state} is declared for another step too`);
    }
    // Undone in reverse order: the step's compensation hands over to the previous step's, the first one ends the saga.
    const previous = declared[i - 1];
    const next = previous === undefined ? finals : [previous.compensation.state];
    const after = targetsOf(graph, undo.state, undo.done);
    const tooLate = undo.tooLateInto ?? [];
    if (after.length === 0) problems.push(`${undo.state}: no transition on ${undo.done}`);
    for (const to of after.filter((t) => !next.includes(t) && !tooLate.includes(t))) {
      problems.push(`${undo.state} on ${undo.done} goes to ${to}, not to ${next.join(' or ')}`);
    }
    for (const to of tooLate.filter((t) => stateIn(graph, t)?.kind !== 'final')) {
      problems.push(`${undo.state}: too late into ${to}, which is not a final state`);
    }
    if (
      previous !== undefined &&
      !previous.tookEffect.some((reply) => targetsOf(graph, previous.step, reply).includes(d.step))
    ) {
      problems.push(`${d.step} is not reached from ${previous.step} on ${previous.tookEffect.join(' or ')}`);
    }
  });
  return problems;
}

/** One step of a path: the event taken and the state it led to (the same state when re-entered). */
export interface PathStep {
  event: string;
  to: string;
}

const names = (steps: readonly StepCompensation[]): string =>
  steps.length === 0 ? 'nothing' : steps.map((s) => s.step).join(', ');

/** The problems of one path of the machine, starting in `graph.initial`. */
export function pathProblems(
  graph: SagaGraph,
  declared: readonly StepCompensation[],
  path: readonly PathStep[],
): string[] {
  const problems: string[] = [];
  /** Steps that took effect (or may have), in the order they did: the next to undo is the last. */
  const toUndo: StepCompensation[] = [];
  let compensating = false;
  let at = graph.initial;
  path.forEach(({ event, to }, index) => {
    const where = `event ${index + 1}, ${at} --${event}--> ${to}`;
    const moved = to !== at;
    const forward = declared.find((d) => d.step === at);
    if (forward !== undefined && moved && !forward.didNothing.includes(event)) {
      if (toUndo.includes(forward)) problems.push(`${where}: ${forward.step} took effect twice`);
      else toUndo.push(forward);
    }
    const undoing = declared.find((d) => d.compensation.state === at);
    const answered = undoing !== undefined && event === undoing.compensation.done;
    const tooLate = answered && (undoing.compensation.tooLateInto ?? []).includes(to);
    if (undoing !== undefined && answered && !tooLate) {
      if (toUndo.at(-1) === undoing) toUndo.pop();
      else
        problems.push(
          `${where}: ${undoing.step} undone out of turn (next to undo: ${toUndo.at(-1)?.step ?? 'nothing'})`,
        );
    }
    const entering = declared.find((d) => d.compensation.state === to);
    if (entering !== undefined && moved) {
      compensating = true;
      if (toUndo.at(-1) !== entering) {
        problems.push(
          `${where}: undoes ${entering.step}, but the next to undo is ${toUndo.at(-1)?.step ?? 'nothing'}`,
        );
      }
    }
    if (compensating && moved && declared.some((d) => d.step === to)) {
      problems.push(`${where}: a forward step after compensation began`);
    }
    // Into a final state other than by a compensation's reply that undid its step (a pickup after a
    // failed cancel, or shipping's answer that the cancel came too late): the compensation is given
    // up and the order stands, which is sound only if nothing was undone yet.
    const givesUp = compensating && moved && stateIn(graph, to)?.kind === 'final' && (!answered || tooLate);
    if (givesUp) {
      compensating = false;
      const undone = declared.filter((d) => !toUndo.includes(d));
      if (undone.length > 0)
        problems.push(`${where}: gives up compensating after ${names(undone)} was undone`);
    }
    at = to;
  });
  const end = stateIn(graph, at);
  if (end?.kind === 'final') {
    const succeeded = !compensating && toUndo.length === declared.length;
    if (!succeeded && toUndo.length > 0) {
      problems.push(`ends in ${at} with ${names([...toUndo].reverse())} never undone`);
    }
  } else if (end?.kind !== 'waiting') {
    problems.push(`ends in ${at}, which is neither final nor waiting for an operator (a dead end)`);
  }
  return problems;
}
