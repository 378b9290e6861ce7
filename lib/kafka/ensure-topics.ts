import type { Admin } from 'kafkajs';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the topics that do not exist yet (existing ones are left alone, partition count included).
 * createTopics resolves false without throwing when another client created a topic concurrently, so
 * the end state is verified instead of trusting its return value.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  {
    numPartitions,
    replicationFactor,
    timeoutMs = 60_000,
  }: { numPartitions: number; replicationFactor: number; timeoutMs?: number },
): Promise<EnsureTopicsResult> {
  const before = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !before.has(t));
  const existing = topics.filter((t) => before.has(t));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      timeout: timeoutMs,
      topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })),
    });
    const after = new Set(await admin.listTopics());
    const stillMissing = topics.filter((t) => !after.has(t));
    if (stillMissing.length > 0) throw new Error(`topics not created: ${stillMissing.join(', ')}`);
  }
  return { created: missing, existing };
}
