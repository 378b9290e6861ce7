import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  checkKafkajsVersion,
  installedKafkajsVersion,
  KafkajsVersionError,
  PATCHED_KAFKAJS_VERSION,
} from './kafkajs-version.ts';

const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));

describe('kafkajs version check', () => {
  it('refuses another kafkajs, naming the installed and the patched version', () => {
    for (const installed of ['2.2.3', '2.2.5', '2.3.0', '3.0.0-beta.1']) {
      assert.throws(
        () => checkKafkajsVersion(installed, '2.2.4'),
        (error: unknown) =>
          error instanceof KafkajsVersionError &&
          error.installed === installed &&
          error.required === '2.2.4' &&
          error.message.includes(`kafkajs ${installed} is installed`) &&
          error.message.includes('fit kafkajs 2.2.4 only'),
        installed,
      );
    }
  });

  it('accepts exactly the patched version', () => {
    assert.doesNotThrow(() => checkKafkajsVersion('2.2.4', '2.2.4'));
    assert.equal(PATCHED_KAFKAJS_VERSION, '2.2.4');
  });

  it('finds the patched version installed, pinned exactly in package.json and the lock file', () => {
    assert.equal(installedKafkajsVersion(), PATCHED_KAFKAJS_VERSION);
    const dependencies = readJson('package.json').dependencies as Record<string, string>;
    assert.equal(dependencies.kafkajs, PATCHED_KAFKAJS_VERSION);
    const lockPackages = readJson('package-lock.json').packages as Record<
      string,
      { version?: string; dependencies?: Record<string, string> }
    >;
    assert.equal(lockPackages['']?.dependencies?.kafkajs, PATCHED_KAFKAJS_VERSION);
    assert.equal(lockPackages['node_modules/kafkajs']?.version, PATCHED_KAFKAJS_VERSION);
  });
});
