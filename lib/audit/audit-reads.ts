import type { Knex } from 'knex';
import type { AuditOutcome } from './audit-entry.ts';

/** One audit record as GET /audit shows it. */
export interface AuditView {
  auditId: string;
  actor: string;
  role: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
  at: string;
}

/** A row of `<schema>.audit`: the view's fields, with its id and time as stored. */
type AuditRow = Omit<AuditView, 'auditId' | 'at'> & { audit_id: string; at: Date };

/** The newest `limit` audit records of a service's schema, of one target or of all, newest first. */
export async function readAudit(
  db: Knex,
  schema: string,
  { target, limit }: { target?: string | undefined; limit: number },
): Promise<AuditView[]> {
  const query = db(`${schema}.audit`)
    .select('audit_id', 'actor', 'role', 'action', 'target', 'outcome', 'detail', 'at')
    // audit ids are time-ordered: they break ties between records of the same instant.
    .orderBy([
      { column: 'at', order: 'desc' },
      { column: 'audit_id', order: 'desc' },
    ])
    .limit(limit);
  if (target !== undefined) query.where({ target });
  const rows: AuditRow[] = await query;
  return rows.map(({ audit_id, at, ...fields }) => ({ auditId: audit_id, ...fields, at: at.toISOString() }));
}
