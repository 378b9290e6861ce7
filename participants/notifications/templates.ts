/**
 * The notification texts: one file per event, channel and locale
 * (templates/<locale>/<template>.<channel>.txt; an email's first line is `Subject: …`, then a blank
 * line, then the body) and each locale's words (templates/<locale>/words.json). Read once at
 * start-up; rendering is pure. `{{name}}` is a value the event's rule or the common ones give; a
 * name without a value is an error, never an empty gap.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CancelReason, enumSymbols } from '../../lib/contracts/generated.ts';
import type { Channel, LocaleWords } from './notification-events.ts';

export const templatesDir = new URL('./templates/', import.meta.url).pathname;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface RenderedText {
  /** Emails only. */
  subject: string | null;
  text: string;
}

interface WordsFile {
  totalPending: string;
  cancelReasons: Record<string, string>;
}

/** Every locale's templates and words, as read from the files. */
export class TemplateSet {
  readonly #files: ReadonlyMap<string, string>;
  readonly #words: ReadonlyMap<string, LocaleWords>;

  constructor(files: ReadonlyMap<string, string>, words: ReadonlyMap<string, LocaleWords>) {
    this.#files = files;
    this.#words = words;
  }

  get locales(): string[] {
    return [...this.#words.keys()].sort();
  }

  has(locale: string, template: string, channel: Channel): boolean {
    return this.#files.has(fileKey(locale, template, channel));
  }

  words(locale: string): LocaleWords {
    const words = this.#words.get(locale);
    if (!words) throw new TemplateError(`no words for locale ${locale} (templates/${locale}/words.json)`);
    return words;
  }

  render(locale: string, template: string, channel: Channel, values: Record<string, string>): RenderedText {
    const name = fileKey(locale, template, channel);
    const source = this.#files.get(name);
    if (source === undefined) throw new TemplateError(`no template ${name}`);
    const filled = source.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new TemplateError(`${name}: no value for {{${key}}}`);
      return value;
    });
    if (channel === 'sms') return { subject: null, text: filled.trim() };
    const match = /^Subject: (.+)\r?\n\r?\n([\s\S]*)$/.exec(filled);
    if (!match)
      throw new TemplateError(`${name}: an email template starts with "Subject: …" and a blank line`);
    return { subject: (match[1] ?? '').trim(), text: `${(match[2] ?? '').trimEnd()}\n` };
  }
}

const fileKey = (locale: string, template: string, channel: Channel): string =>
  `${locale}/${template}.${channel}.txt`;

/** A locale's words: its money format (Intl) and the texts of words.json, every cancel reason present. */
export function localeWords(locale: string, file: WordsFile): LocaleWords {
  const missing = enumSymbols.CancelReason.filter((r) => typeof file.cancelReasons?.[r] !== 'string');
  if (missing.length > 0 || typeof file.totalPending !== 'string') {
    throw new TemplateError(
      `templates/${locale}/words.json: needs totalPending and cancelReasons for ${missing.join(', ') || 'every reason'}`,
    );
  }
  return {
    totalPending: file.totalPending,
    cancelReason: (reason: CancelReason) => file.cancelReasons[reason] ?? reason,
    money: (minorUnits, currency) => {
      const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      return format.format(minorUnits / 10 ** digits);
    },
  };
}

/** Reads every locale folder of `dir` (default: templates/ next to this file). */
export function loadTemplates(dir: string = templatesDir): TemplateSet {
  const files = new Map<string, string>();
  const words = new Map<string, LocaleWords>();
  for (const locale of readdirSync(dir, { withFileTypes: true })) {
    if (!locale.isDirectory()) continue;
    for (const file of readdirSync(join(dir, locale.name))) {
      const path = join(dir, locale.name, file);
      if (file === 'words.json') {
        words.set(locale.name, localeWords(locale.name, JSON.parse(readFileSync(path, 'utf8')) as WordsFile));
      } else if (/^[a-z-]+\.(email|sms)\.txt$/.test(file)) {
        files.set(`${locale.name}/${file}`, readFileSync(path, 'utf8'));
      } else {
        throw new TemplateError(
          `templates/${locale.name}/${file}: not <event>.<email|sms>.txt or words.json`,
        );
      }
    }
  }
  if (words.size === 0) throw new TemplateError(`no locale folders in ${dir}`);
  return new TemplateSet(files, words);
}
