import { createRequire } from 'node:module';

/** The one kafkajs release whose private modules the patches in this folder were written for. */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

const require = createRequire(import.meta.url);

/** The version of the kafkajs that `import 'kafkajs'` resolves to (its package.json). */
export const installedKafkajsVersion = (): string =>
  (require('kafkajs/package.json') as { version: string }).version;

/** A kafkajs other than the one the patches fit: the service refuses to start. */
export class KafkajsVersionError extends Error {
  readonly installed: string;
  readonly required: string;

  constructor(installed: string, required: string) {
    super(
      `kafkajs ${installed} is installed, but the patches in lib/kafka/kafkajs-patches/ fit kafkajs ${required} ` +
        `only: run npm ci (package.json pins ${required}), or port and test the patches before changing the pin`,
    );
    this.installed = installed;
    this.required = required;
    this.name = 'KafkajsVersionError';
  }
}

/** Throws KafkajsVersionError unless `installed` is exactly `required`. */
export function checkKafkajsVersion(installed: string, required: string = PATCHED_KAFKAJS_VERSION): void {
  if (installed !== required) throw new KafkajsVersionError(installed, required);
}

let checked = false;

/** Checks the installed kafkajs once per process; runs before any patch is installed. */
export function assertPatchedKafkajsVersion(): void {
  if (checked) return;
  checkKafkajsVersion(installedKafkajsVersion());
  checked = true;
}
