/**
 * The schema evolution gate: the contract's earlier versions, then today's, registered in the real
 * registry (its Confluent-compatible API) under BACKWARD, each subject under a prefix of its own
 * run. The registry decides, not a re-implementation of its rule: a version it refuses is reported.
 *
 * Earlier versions: every `schemas/<topic>/history/*.avsc`, then the current files of the last
 * release tag (when there is one) and of the previous commit (`git show HEAD~1:schemas/…`). Without
 * a previous commit (a shallow clone, the first commit, no git) the history files are the baseline,
 * and the gate says so.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  parseSchemaFile,
  repoRoot,
  type SchemaFile,
  schemaFiles,
  schemaHistory,
} from '../../lib/contracts/schema-files.ts';

/** The current schema files at a git revision, or why there are none. */
export type Baseline = { ref: string; files: SchemaFile[] } | { ref: string; unavailable: string };

const git = (args: string[]): string =>
  execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const currentSchemaPath = /^schemas\/([^/]+)\/([A-Za-z]+\.avsc)$/;

/** The schema files of `schemas/<topic>/` (not their history) at `ref`. */
export function schemasAt(ref: string): Baseline {
  let listing: string;
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    listing = git(['ls-tree', '-r', '--name-only', ref, '--', 'schemas/']);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ref,
      unavailable: `${ref} is not available (a shallow clone, the first commit or no git): ${reason}`,
    };
  }
  const files = listing.split('\n').flatMap((path) => {
    const match = currentSchemaPath.exec(path);
    if (!match) return [];
    const [, topic = '', name = ''] = match;
    return [parseSchemaFile(topic, name, git(['show', `${ref}:${path}`]))];
  });
  return { ref, files };
}

/** The last release tag reachable from HEAD~1, if any (a release's contract is a baseline too). */
export function lastReleaseTag(): string | null {
  try {
    return git(['describe', '--tags', '--abbrev=0', 'HEAD~1']).trim() || null;
  } catch {
    return null; // no tags yet (or no HEAD~1): nothing to add
  }
}

/** One schema version to register under a subject, with where it comes from. */
export interface SchemaVersion {
  subject: string;
  from: string;
  schemaText: string;
}

/**
 * The versions of every subject in registration order: history, the baselines' versions, then the
 * current file; a version equal to the one before it is left out (the registry would not add it).
 */
export function versionChains(
  current: readonly SchemaFile[],
  baselines: readonly Baseline[],
  history = schemaHistory(),
): SchemaVersion[][] {
  const subjects = [
    ...new Set(
      [...current, ...baselines.flatMap((b) => ('files' in b ? b.files : []))].map((f) => f.subject),
    ),
  ];
  return subjects.map((subject) => {
    const chain: SchemaVersion[] = [
      ...history
        .filter((h) => h.subject === subject)
        .map((h) => ({ subject, from: h.file, schemaText: h.schemaText })),
      ...baselines.flatMap((b) =>
        'files' in b
          ? b.files
              .filter((f) => f.subject === subject)
              .map((f) => ({ subject, from: `${b.ref}:${f.file}`, schemaText: f.schemaText }))
          : [],
      ),
      ...current
        .filter((f) => f.subject === subject)
        .map((f) => ({ subject, from: f.file, schemaText: f.schemaText })),
    ];
    return chain.filter((v, i) => v.schemaText !== chain[i - 1]?.schemaText);
  });
}

/** A version the registry refused, and why. */
export interface Refusal {
  subject: string;
  from: string;
  status: number;
  message: string;
}

const registryHeaders = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

/** A fresh subject prefix: each run registers on subjects no other run or service uses. */
export const freshSubjectPrefix = (): string =>
  `evolution-gate-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;

/**
 * Registers every chain under `prefix` with BACKWARD set on each subject first; returns the versions
 * the registry refused (a chain stops at its first refusal). Throws when the registry cannot be used.
 */
export async function registerChains(
  registryUrl: string,
  prefix: string,
  chains: readonly SchemaVersion[][],
): Promise<Refusal[]> {
  const base = registryUrl.replace(/\/+$/, '');
  const refusals: Refusal[] = [];
  for (const chain of chains) {
    const first = chain[0];
    if (first === undefined) continue;
    const subject = encodeURIComponent(`${prefix}${first.subject}`);
    const config = await fetch(`${base}/config/${subject}`, {
      method: 'PUT',
      headers: registryHeaders,
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    if (!config.ok) throw new Error(`PUT /config/${subject}: ${config.status} ${await config.text()}`);
    for (const version of chain) {
      const res = await fetch(`${base}/subjects/${subject}/versions`, {
        method: 'POST',
        headers: registryHeaders,
        body: JSON.stringify({ schema: version.schemaText, schemaType: 'AVRO' }),
      });
      if (res.ok) continue;
      const message = await res.text();
      if (res.status !== 409) throw new Error(`POST /subjects/${subject}/versions: ${res.status} ${message}`);
      refusals.push({ subject: version.subject, from: version.from, status: res.status, message });
      break;
    }
  }
  return refusals;
}

/** The gate's inputs for this checkout: today's files and the baselines that exist. */
export function gateInputs(previousRef = 'HEAD~1'): {
  current: readonly SchemaFile[];
  baselines: Baseline[];
} {
  const tag = lastReleaseTag();
  return {
    current: schemaFiles(),
    baselines: [...(tag === null ? [] : [schemasAt(tag)]), schemasAt(previousRef)],
  };
}
