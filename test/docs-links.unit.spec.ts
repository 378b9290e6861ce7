/**
 * Every relative link in the repository's Markdown resolves: to a file or folder that exists, and
 * where it names a heading (`file.md#heading`, `#heading`), to a heading of that file (GitHub's
 * anchor rules: lower case, punctuation dropped, spaces to dashes).
 *   node --import tsx --test test/docs-links.unit.spec.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '..');

const markdownFiles = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && existsSync(join(root, file)));

/** Code blocks and inline code hold examples, not links. */
const withoutCode = (text: string): string => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

/** `[text](target)` and `<…>` autolinks are the forms the docs use; only relative targets count. */
function relativeLinks(text: string): string[] {
  const targets: string[] = [];
  for (const match of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? '';
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.push(target);
  }
  return targets;
}

/** GitHub's heading anchor: lower case, everything but letters, digits, spaces, `-` and `_` dropped. */
const headingAnchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(readFileSync(file, 'utf8')).split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = headingAnchor(heading.replace(/`/g, ''));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

test('the anchor rule matches GitHub on the headings the docs use', () => {
  assert.equal(headingAnchor('Watching every compensation'), 'watching-every-compensation');
  assert.equal(headingAnchor('Not protected yet'), 'not-protected-yet');
  assert.equal(headingAnchor('Kafka: SASL/SCRAM & ACLs'), 'kafka-saslscram--acls');
  assert.deepEqual(relativeLinks('see [a](docs/a.md#x) and [b](https://x.org) `[c](no.md)`'), [
    'docs/a.md#x',
  ]);
});

test('every relative link in the Markdown files resolves to a file and heading that exist', () => {
  const broken: string[] = [];
  const files = markdownFiles();
  assert.ok(files.includes('README.md'), 'README.md is among the files checked');
  for (const file of files) {
    const path = join(root, file);
    for (const link of relativeLinks(readFileSync(path, 'utf8'))) {
      const [target = '', anchor] = link.split('#', 2);
      const targetPath = target === '' ? path : resolve(dirname(path), decodeURIComponent(target));
      if (!existsSync(targetPath)) {
        broken.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (anchor !== undefined && targetPath.endsWith('.md') && statSync(targetPath).isFile()) {
        if (!anchorsOf(targetPath).has(anchor.toLowerCase()))
          broken.push(`${file}: ${link} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
