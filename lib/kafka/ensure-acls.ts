import kafkajs, { type AclEntry, type Admin } from 'kafkajs';
import type { AclOperation, AclPatternType, AclResourceType, KafkaAcl } from './acls.ts';

// kafkajs's index spreads its exports past what Node's CommonJS lexer sees: these enums are only
// on the default export when imported from an ES module
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const resourceTypes: Record<AclResourceType, AclEntry['resourceType']> = {
  TOPIC: AclResourceTypes.TOPIC,
  GROUP: AclResourceTypes.GROUP,
  CLUSTER: AclResourceTypes.CLUSTER,
};
const patternTypes: Record<AclPatternType, AclEntry['resourcePatternType']> = {
  LITERAL: ResourcePatternTypes.LITERAL,
  PREFIXED: ResourcePatternTypes.PREFIXED,
};
const operations: Record<AclOperation, AclEntry['operation']> = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
  ALL: AclOperationTypes.ALL,
};

const toEntry = (acl: KafkaAcl): AclEntry => ({
  resourceType: resourceTypes[acl.resourceType],
  resourceName: acl.resourceName,
  resourcePatternType: patternTypes[acl.patternType],
  principal: acl.principal,
  host: '*',
  operation: operations[acl.operation],
  permissionType: AclPermissionTypes.ALLOW,
});

const keyOf = (e: AclEntry): string =>
  [
    e.resourceType,
    e.resourceName,
    e.resourcePatternType,
    e.principal,
    e.host,
    e.operation,
    e.permissionType,
  ].join('\u0000');

/** Every ALLOW rule on the broker, as keys. */
async function existingAclKeys(admin: Admin): Promise<Set<string>> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ALLOW,
  });
  return new Set(
    resources.flatMap(({ acls, ...resource }) => acls.map((acl) => keyOf({ ...resource, ...acl }))),
  );
}

/**
 * Creates the ACLs the broker does not have yet (idempotent); returns how many were created. The
 * controller commits them before the broker's authorizer applies them from the metadata log: until
 * then a client is still refused (an idempotent producer started right away failed InitProducerId
 * with CLUSTER_AUTHORIZATION_FAILED), so this returns once the broker describes all of them.
 */
export async function ensureAcls(
  admin: Admin,
  acls: readonly KafkaAcl[],
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): Promise<number> {
  const existing = await existingAclKeys(admin);
  const missing = acls.map(toEntry).filter((e) => !existing.has(keyOf(e)));
  if (missing.length === 0) return 0;
  await admin.createAcls({ acl: missing });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const applied = await existingAclKeys(admin);
    const pending = missing.filter((e) => !applied.has(keyOf(e)));
    if (pending.length === 0) return missing.length;
    if (Date.now() > deadline) {
      throw new Error(
        `${pending.length} of ${missing.length} ACLs created were still not applied by the broker after ${timeoutMs} ms (first: ${pending[0]?.principal} on ${pending[0]?.resourceName})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Deletes exactly these ACLs (those absent are ignored); returns how many were deleted. */
export async function removeAcls(admin: Admin, acls: readonly KafkaAcl[]): Promise<number> {
  if (acls.length === 0) return 0;
  const { filterResponses } = await admin.deleteAcls({ filters: acls.map(toEntry) });
  return filterResponses.reduce((n, r) => n + r.matchingAcls.length, 0);
}
