/**
 * Secrets of the local stack (`npm run stack`, `npm start`, the tests): generated once, kept in
 * `<state dir>/secrets/<name>` (ORDER_SAGA_STATE, default `<repo>/.stack`, which git ignores), mode
 * 0600. scripts/stack.sh writes and reads the same files. A deployment passes its secrets in the
 * environment instead; nothing here is read by a service itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('../../', import.meta.url).pathname;

export const localSecretsDir = (): string =>
  join(process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'), 'secrets');

/** The secret called `name`, created (32 random bytes, base64url) the first time it is asked for. */
export function localSecret(name: string): string {
  if (!/^[a-z0-9-]+$/.test(name))
    throw new Error(`local secret name ${JSON.stringify(name)}: use a-z, 0-9 and '-'`);
  const dir = localSecretsDir();
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite; a concurrent creator wins and both read its value below.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const value = readFileSync(file, 'utf8').trim();
  if (value === '') throw new Error(`local secret ${file} is empty: delete it to have it generated again`);
  return value;
}
