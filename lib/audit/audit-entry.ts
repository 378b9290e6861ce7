/**
 * What an audit record says: who (actor and the role they acted in), did what (action), to what
 * (target, `kind:id`), with what outcome, and action-specific detail.
 */
import type { AuditOutcome } from '../contracts/generated.ts';
import { type Principal, principalOf } from '../http/principal.ts';
import { isUuid } from '../ids.ts';

export type { AuditOutcome } from '../contracts/generated.ts';

export interface AuditActor {
  /** The principal's subject. */
  actor: string;
  /** `operator` when the principal has that role; otherwise its first role, or `none`. */
  role: string;
}

export interface AuditEntry extends AuditCaller {
  /** What was asked, e.g. `retry`, `fault_set`, `fault_cleared`, `price_changed`. */
  action: string;
  /** What it was asked of (see the target helpers below). */
  target: string;
  outcome: AuditOutcome;
  /** Action-specific facts (stored as jsonb, published as JSON text). */
  detail: Record<string, unknown>;
}

/** The actor of an authenticated request: its subject, acting as `operator` when it has that role. */
export function actorOf(principal: Principal): AuditActor {
  const role = principal.roles.includes('operator') ? 'operator' : (principal.roles[0] ?? 'none');
  return { actor: principal.sub, role };
}

/** Who asks for an action, and the request it came with (its id: the correlation id). */
export interface AuditCaller extends AuditActor {
  /** The request's id (a UUID): the correlation id of the AuditRecorded message. */
  correlationId: string;
}

/**
 * The caller of a fastify request on a protected route (the auth hook has set `request.principal`;
 * principalOf throws when a route that records actions was declared public by mistake).
 */
export const callerOf = (request: { principal: Principal | null; id: string; url: string }): AuditCaller => ({
  ...actorOf(principalOf(request)),
  correlationId: request.id,
});

/** Targets are `kind:id`; the kinds used today. */
export const orderTarget = (orderId: string): string => `order:${orderId}`;
export const faultsTarget = (service: string): string => `faults:${service}`;
export const skuTarget = (sku: string): string => `sku:${sku}`;

/** The order id of an `order:<uuid>` target, or null when the target is not an order. */
export function orderIdOfTarget(target: string): string | null {
  if (!target.startsWith('order:')) return null;
  const id = target.slice('order:'.length);
  return isUuid(id) ? id : null;
}
