/**
 * Every path a saga machine allows, from @xstate/graph: the machine's own transitions, driven by the
 * events each state listens to (the payloads given here for events whose guards read them, e.g.
 * StockReserved with and without the expected prices). A vertex is a whole snapshot (state and
 * context), so re-sends and retry rounds are distinct steps; `stopWhen` bounds the retry rounds.
 */
import { getAdjacencyMap } from '@xstate/graph';
import type { AnyStateMachine, EventObject, SnapshotFrom } from 'xstate';
import type { PathStep } from '../../orchestrator/saga/compensation-check.ts';

export interface WalkOptions<TMachine extends AnyStateMachine> {
  input: unknown;
  /** Payload variants of the events a guard decides on; every other event is sent as `{ type }`. */
  events: readonly EventObject[];
  /** Stops the walk in a snapshot (a bound on retry rounds). */
  stopWhen?: (snapshot: SnapshotFrom<TMachine>) => boolean;
  /**
   * Snapshots where the saga may rest for good although events still lead on (a completed order a
   * customer may yet cancel): a path ends there, and the walk goes on from it as well.
   */
  restsIn?: (snapshot: SnapshotFrom<TMachine>) => boolean;
}

export interface SagaPath {
  /** The events in order (with their payloads) and the state each led to. */
  events: EventObject[];
  steps: PathStep[];
  /** The context at the end of the path. */
  end: SnapshotFrom<AnyStateMachine>;
}

export interface SagaWalk {
  /** Every simple path from the initial snapshot to a snapshot with no way on (a sink) or one it rests in. */
  paths: SagaPath[];
  /** Reachable snapshots (serialized) from which no path leads to a snapshot with no way on. */
  trapped: string[];
  /** How many distinct snapshots are reachable. */
  snapshots: number;
}

const stateValue = (snapshot: SnapshotFrom<AnyStateMachine>): string => String(snapshot.value);

type Vertex = { state: SnapshotFrom<AnyStateMachine>; transitions: Record<string, Edge> };
type Edge = { event: EventObject; state: SnapshotFrom<AnyStateMachine> };

/** @xstate/graph's key of a snapshot (its default serialization: state value and context). */
const keyOf = (snapshot: SnapshotFrom<AnyStateMachine>): string =>
  JSON.stringify({
    value: snapshot.value,
    context: Object.keys(snapshot.context ?? {}).length ? snapshot.context : undefined,
  });

export function walkSaga<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: WalkOptions<TMachine>,
): SagaWalk {
  // The events each state listens to, with the given payload variants (the walk's own `events`
  // option replaces @xstate/graph's default, which would do the same).
  const eventsOf = (snapshot: SnapshotFrom<AnyStateMachine>): EventObject[] =>
    (machine.root.states[String(snapshot.value)]?.ownEvents ?? []).flatMap((type) => {
      const variants = options.events.filter((event) => event.type === type);
      return variants.length > 0 ? variants : [{ type }];
    });
  const adjacency = getAdjacencyMap(machine, {
    input: options.input,
    events: eventsOf,
    ...(options.stopWhen === undefined ? {} : { stopWhen: options.stopWhen }),
  } as never) as unknown as Record<string, Vertex>;
  const edgesOf = (key: string): Edge[] => Object.values(adjacency[key]?.transitions ?? {});
  const sinks = new Set(Object.keys(adjacency).filter((key) => edgesOf(key).length === 0));
  // Reverse reachability from the sinks: a snapshot that cannot reach one is trapped (a cycle with no exit).
  const canEnd = new Set(sinks);
  for (let grew = true; grew; ) {
    grew = false;
    for (const key of Object.keys(adjacency)) {
      if (!canEnd.has(key) && edgesOf(key).some((edge) => canEnd.has(keyOf(edge.state)))) {
        canEnd.add(key);
        grew = true;
      }
    }
  }
  // Every simple path from the initial snapshot (the map's first vertex) to a sink, depth first.
  const paths: SagaPath[] = [];
  const initial = Object.keys(adjacency)[0];
  const onPath = new Set<string>();
  const trail: Edge[] = [];
  const restsIn = options.restsIn as ((snapshot: SnapshotFrom<AnyStateMachine>) => boolean) | undefined;
  const visit = (key: string): void => {
    const snapshot = adjacency[key]?.state as SnapshotFrom<AnyStateMachine>;
    if (sinks.has(key) || restsIn?.(snapshot)) {
      paths.push({
        events: trail.map((edge) => edge.event),
        steps: trail.map((edge) => ({ event: edge.event.type, to: stateValue(edge.state) })),
        end: snapshot,
      });
      if (sinks.has(key)) return;
    }
    onPath.add(key);
    for (const edge of edgesOf(key)) {
      const next = keyOf(edge.state);
      if (onPath.has(next)) continue;
      trail.push(edge);
      visit(next);
      trail.pop();
    }
    onPath.delete(key);
  };
  if (initial !== undefined) visit(initial);
  return {
    paths,
    trapped: Object.keys(adjacency).filter((key) => !canEnd.has(key)),
    snapshots: Object.keys(adjacency).length,
  };
}
