import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface CachedModule {
  exports: unknown;
}

/**
 * Replaces the export of one of kafkajs's internal CommonJS modules in Node's module cache, so the
 * kafkajs modules that load it afterwards take `replacement`. Returns the module's own export, or
 * null when `replacement` is already installed. Throws when one of `dependents` — the modules that
 * keep whatever they found when they loaded — is already loaded (`tooLate` says what to do).
 */
export function replaceKafkajsModule<T>(options: {
  path: string;
  replacement: T;
  dependents: readonly string[];
  tooLate: string;
}): T | null {
  const { path, replacement, dependents, tooLate } = options;
  const cache = require.cache as Record<string, CachedModule | undefined>;
  if (cache[path]?.exports === replacement) return null;
  if (dependents.some((dependent) => cache[dependent] !== undefined)) throw new Error(tooLate);
  const original = require(path) as T;
  const entry = cache[path];
  if (entry === undefined) throw new Error(`kafkajs module not cached at ${path}`);
  entry.exports = replacement;
  return original;
}

/** The absolute path of a kafkajs module, e.g. `kafkajs/src/protocol/decoder.js`. */
export const kafkajsModulePath = (id: string): string => require.resolve(id);
