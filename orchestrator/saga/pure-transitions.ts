/**
 * XState's pure `initialTransition()` and `transition()`, without their throw-away actor.
 *
 * Each call of xstate's helpers (5.x) makes a new inert actor scope with `createActor(machine)`, and
 * that actor's constructor computes a whole initial snapshot of the machine — entering the initial
 * state and resolving its entry actions — which the helper then discards. In a heap-sampling profile
 * of the orchestrator at 750 sagas/s, that discarded snapshot was 22 % of all bytes it allocated
 * (`transition()` 26 % in all, XState ≈ 40 %), and garbage collection is a fifth of its CPU time.
 * xstate acknowledges the cost upstream (statelyai/xstate#5630 leaves "the public pure `transition()`
 * helper" out of its optimisation).
 *
 * These functions do exactly what xstate's helpers do — `machine.getInitialSnapshot(scope, input)`
 * and `machine.transition(snapshot, event, scope)` with an action executor that collects the actions
 * instead of running them — with one inert scope made once per machine. Sharing the scope shares no
 * state as long as the machine never invokes, spawns or delays anything (its actor system stays
 * empty), which `pureTransitionsOf` checks for invocations and delayed transitions; spawning from
 * an action cannot be seen statically and must not be used with it either.
 * `pure-transitions.unit.spec.ts` checks the results against xstate's helpers.
 */
import {
  type AnyActorScope,
  type AnyStateMachine,
  type AnyStateNode,
  createActor,
  type EventFromLogic,
  type ExecutableActionObject,
  type ExecutableActionsFrom,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';

export interface PureTransitions<TMachine extends AnyStateMachine> {
  initialTransition(input: InputFrom<TMachine>): [SnapshotFrom<TMachine>, ExecutableActionsFrom<TMachine>[]];
  transition(
    snapshot: SnapshotFrom<TMachine>,
    event: EventFromLogic<TMachine>,
  ): [SnapshotFrom<TMachine>, ExecutableActionsFrom<TMachine>[]];
}

function* stateNodesOf(node: AnyStateNode): Generator<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states)) yield* stateNodesOf(child);
}

export function pureTransitionsOf<TMachine extends AnyStateMachine>(
  machine: TMachine,
): PureTransitions<TMachine> {
  for (const node of stateNodesOf(machine.root)) {
    if (node.invoke.length > 0 || node.after.length > 0) {
      throw new Error(
        `pure transitions need a machine without invocations or delayed transitions; state ${node.id} has one`,
      );
    }
  }
  // Never started: it only lends the scope its reference and its (empty) actor system.
  const self = createActor(machine);
  let collected: ExecutableActionObject[] | null = null;
  const scope: AnyActorScope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action) => {
      if (collected === null)
        throw new Error('pure transitions: an action was executed outside a transition');
      collected.push(action);
    },
  };
  const collecting = <T>(compute: () => T): [T, ExecutableActionsFrom<TMachine>[]] => {
    const actions: ExecutableActionObject[] = [];
    collected = actions;
    try {
      return [compute(), actions as ExecutableActionsFrom<TMachine>[]];
    } finally {
      collected = null;
    }
  };
  return {
    initialTransition: (input) =>
      collecting(() => machine.getInitialSnapshot(scope, input) as SnapshotFrom<TMachine>),
    transition: (snapshot, event) =>
      collecting(() => machine.transition(snapshot, event, scope) as SnapshotFrom<TMachine>),
  };
}
