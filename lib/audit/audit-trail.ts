import type { UnitOfWork, UnitOfWorkRunner } from '../db/unit-of-work.ts';
import type { Clock, IdGenerator } from '../ids.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { type AuditEntry, orderIdOfTarget } from './audit-entry.ts';

/** What was recorded: the audit id (also the message id of its AuditRecorded) and its time. */
export interface RecordedAudit {
  auditId: string;
  at: Date;
}

/**
 * A service's audit trail: each entry is a row of `<schema>.audit` and an AuditRecorded message on
 * `audit-events`, both written in a unit of work, so an action, its record and its event commit
 * together or not at all.
 *
 * The message's key is the target (a fault switch or a SKU is no order); its `order-id` header is
 * set only when the target is an order (`order:<uuid>`).
 */
export class AuditTrail {
  /** The service the actions are taken on, as published (`orchestrator`, `inventory`, …). */
  readonly service: string;
  /** The service's Postgres schema, which holds its `audit` table. */
  readonly schema: string;
  readonly #units: UnitOfWorkRunner;
  readonly #outbox: Outbox;
  readonly #clock: Clock;
  readonly #newId: IdGenerator;
  readonly #insertSql: string;

  constructor(options: {
    service: string;
    schema: string;
    units: UnitOfWorkRunner;
    outbox: Outbox;
    clock: Clock;
    newId: IdGenerator;
  }) {
    this.service = options.service;
    this.schema = options.schema;
    this.#units = options.units;
    this.#outbox = options.outbox;
    this.#clock = options.clock;
    this.#newId = options.newId;
    this.#insertSql = `insert into ${options.schema}.audit (audit_id, actor, role, action, target, outcome, detail, at) values (?, ?, ?, ?, ?, ?, ?::jsonb, ?)`;
  }

  /** Adds the entry to `unit`: its row to the write statement, its message to the outbox. */
  async add(unit: UnitOfWork, entry: AuditEntry): Promise<RecordedAudit> {
    const auditId = this.#newId();
    const at = this.#clock();
    const detail = JSON.stringify(entry.detail);
    unit.writes.add(this.#insertSql, [
      auditId,
      entry.actor,
      entry.role,
      entry.action,
      entry.target,
      entry.outcome,
      detail,
      at,
    ]);
    await this.#outbox.append(unit, [
      {
        record: {
          type: 'AuditRecorded',
          payload: {
            auditId,
            service: this.service,
            actor: entry.actor,
            role: entry.role,
            action: entry.action,
            target: entry.target,
            outcome: entry.outcome,
            detail,
            occurredAt: at.getTime(),
          },
        },
        messageId: auditId,
        key: entry.target,
        orderId: orderIdOfTarget(entry.target),
        correlationId: entry.correlationId,
        causationId: null,
      },
    ]);
    return { auditId, at };
  }

  /**
   * Records the entry in a transaction of its own: for an action refused (its effect's transaction
   * rolled back) or one whose effect is not in the database (apply it once this has committed).
   */
  record(entry: AuditEntry): Promise<RecordedAudit> {
    return this.#units.run((unit) => this.add(unit, entry));
  }
}

/** What an action recorded in a transaction of its own needs (a fake in unit tests). */
export type AuditRecorder = Pick<AuditTrail, 'service' | 'record'>;
