/**
 * The order saga's graph as plain data, read from the machine's own definition (`machine.root`):
 * its states with the command each sends on entry, and every transition with its event, guard,
 * target and actions. One export for every reader of the machine's shape: the AsyncAPI document
 * (who sends which command, which replies move the saga), the path tests and the static
 * compensation check, and a state chart.
 *
 * The machine keeps its commands as data in entry actions (`sendCommand`, `armDeadline` with a
 * `compensation` flag); parameters computed from the context are evaluated once with a probe
 * context, as XState itself would when entering the state.
 */
import { type AnyStateMachine, type AnyStateNode, createActor } from 'xstate';
import { orderSagaMachine } from './order-saga.machine.ts';
import { type SagaContext, settledTag } from './saga-types.ts';

export { settledTag };

/**
 * `forward`: a step that sends a command and waits for its reply; `compensation`: a step that undoes
 * a forward one; `final`: the saga is over — an XState final state, or one tagged `settled` where it
 * rests unless a later event (a cancel) resumes it; `waiting`: no command in flight, an operator decides.
 */
export type SagaStateKind = 'forward' | 'compensation' | 'final' | 'waiting';

export interface SagaGraphAction {
  type: string;
  /** The action's parameters when they are plain data (not computed from the context or event). */
  params: Record<string, unknown> | null;
}

export interface SagaGraphState {
  name: string;
  kind: SagaStateKind;
  /** The command sent on entering the state; null for final and waiting states. */
  command: string | null;
  /** The lifecycle events published on entering it (e.g. `OrderCompleted`). */
  publishes: string[];
}

export interface SagaGraphTransition {
  from: string;
  event: string;
  to: string;
  /** The guard's name, when the transition has one (the next one of the same event is its `else`). */
  guard: string | null;
  /** True when the state is left and entered again (a re-send after a deadline). */
  reenter: boolean;
  actions: SagaGraphAction[];
}

export interface SagaGraph {
  machine: string;
  initial: string;
  /** Lifecycle events published when the saga starts. */
  publishesOnStart: string[];
  states: SagaGraphState[];
  transitions: SagaGraphTransition[];
}

type ActionLike = string | { type?: unknown; params?: unknown } | ((...args: never[]) => unknown);

const plainParams = (params: unknown): Record<string, unknown> | null =>
  typeof params === 'object' && params !== null && !Array.isArray(params)
    ? (params as Record<string, unknown>)
    : null;

const actionType = (action: ActionLike): string =>
  typeof action === 'string'
    ? action
    : typeof action === 'function'
      ? action.name || '(inline action)'
      : String(action.type);

/** An action's type and parameters, with computed parameters evaluated on the probe context. */
function evaluated(action: ActionLike, context: unknown): { type: string; params: Record<string, unknown> } {
  if (typeof action !== 'object') return { type: actionType(action), params: {} };
  const params =
    typeof action.params === 'function'
      ? action.params({ context, event: { type: 'xstate.init' } })
      : action.params;
  return { type: String(action.type), params: plainParams(params) ?? {} };
}

function stateOf(node: AnyStateNode, context: unknown): SagaGraphState {
  const entry = (node.entry as ActionLike[]).map((a) => evaluated(a, context));
  const sent = entry.find((a) => a.type === 'sendCommand');
  const deadline = entry.find((a) => a.type === 'armDeadline');
  const command = typeof sent?.params.command === 'string' ? sent.params.command : null;
  const kind: SagaStateKind =
    node.type === 'final' || node.tags.includes(settledTag)
      ? 'final'
      : command === null
        ? 'waiting'
        : deadline?.params.compensation === true
          ? 'compensation'
          : 'forward';
  return { name: node.key, kind, command, publishes: publishedBy(entry) };
}

const publishedBy = (actions: readonly { type: string; params: Record<string, unknown> }[]): string[] =>
  actions
    .filter((a) => a.type === 'publishOrderEvent' && typeof a.params.event === 'string')
    .map((a) => String(a.params.event));

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || '(inline guard)';
  const { type, params } = guard as { type?: unknown; params?: unknown };
  const data = plainParams(params);
  return data === null ? String(type) : `${String(type)}(${JSON.stringify(data)})`;
}

function transitionsOf(node: AnyStateNode): SagaGraphTransition[] {
  return [...node.transitions.entries()].flatMap(([event, definitions]) =>
    definitions.map((definition) => {
      const targets = definition.target ?? [];
      const target = targets[0];
      if (targets.length !== 1 || target === undefined) {
        throw new Error(`saga graph: ${node.key} on ${event} must have exactly one target`);
      }
      return {
        from: node.key,
        event,
        to: target.key,
        guard: guardName(definition.guard),
        reenter: definition.reenter,
        actions: (definition.actions as ActionLike[]).map((action) => ({
          type: actionType(action),
          params: typeof action === 'object' ? plainParams(action.params) : null,
        })),
      };
    }),
  );
}

/**
 * The graph of a flat saga machine (no nested states). `probeContext` adds to the machine's initial
 * context whatever computed entry parameters read (a cancel reason, a failure).
 */
export function sagaGraphOf(machine: AnyStateMachine, probeContext: Record<string, unknown> = {}): SagaGraph {
  const root = machine.root;
  const context = { ...createActor(machine).getSnapshot().context, ...probeContext };
  const nodes = Object.values(root.states) as AnyStateNode[];
  for (const node of nodes) {
    if (Object.keys(node.states).length > 0) throw new Error(`saga graph: ${node.key} has nested states`);
  }
  const initial = root.initial?.target[0]?.key;
  if (initial === undefined) throw new Error(`saga graph: machine ${machine.id} has no initial state`);
  return {
    machine: machine.id,
    initial,
    publishesOnStart: publishedBy((root.entry as ActionLike[]).map((a) => evaluated(a, context))),
    states: nodes.map((node) => stateOf(node, context)),
    transitions: nodes.flatMap(transitionsOf),
  };
}

/** What the order saga's computed entry parameters read (the failed and cancelled states' events). */
const orderSagaProbe: Partial<SagaContext> = {
  cancelReason: 'timeout',
  failure: { step: 'ReleaseStock', state: 'releasingStock', reason: 'graph probe' },
};

let orderSaga: SagaGraph | undefined;

/** The order saga's graph (computed once). */
export function orderSagaGraph(): SagaGraph {
  orderSaga ??= sagaGraphOf(orderSagaMachine, orderSagaProbe);
  return orderSaga;
}
