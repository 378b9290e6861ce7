// generated from schemas/ by npm run gen:types — do not edit

/** How the action ended. A reader that does not know a newer outcome reads rejected (never applied). */
export type AuditOutcome = 'applied' | 'rejected' | 'not_found';

/** An operator action and its outcome, recorded in the same transaction as its effect. Kafka message key: the target. */
export interface AuditRecorded {
  /** Id of the audit record (UUID); also the message-id header. */
  auditId: string;
  /** Service the action was taken on: orchestrator, inventory, payment or shipping. */
  service: string;
  /** Who acted: the caller's token subject. */
  actor: string;
  /** The role the actor acted in (operator). */
  role: string;
  /** What was asked: retry, fault_set, fault_cleared, price_changed. */
  action: string;
  /** What it was asked of, as kind:id, e.g. order:<uuid>, faults:payment, sku:SKU-001. */
  target: string;
  /** applied: the effect committed with this record; rejected: refused, nothing changed; not_found: no such target. */
  outcome: AuditOutcome;
  /** Action-specific detail as a JSON object text (e.g. the fault set, the old and new price). */
  detail: string;
  /** When the action was recorded (milliseconds since the Unix epoch, UTC). */
  occurredAt: number;
}
