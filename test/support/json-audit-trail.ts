import { AuditTrail } from '../../lib/audit/audit-trail.ts';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { systemClock, timeOrderedIds } from '../../lib/ids.ts';
import { jsonOutbox } from './json-outbox.ts';

/** A service's real audit trail on `units`, its messages in the JSON outbox (no schema registry needed). */
export const jsonAuditTrail = (service: string, schema: string, units: UnitOfWorkRunner): AuditTrail =>
  new AuditTrail({
    service,
    schema,
    units,
    outbox: jsonOutbox(schema),
    clock: systemClock,
    newId: timeOrderedIds(),
  });
