/**
 * TypeScript source text for the contracts generator, written as biome formats it (line width
 * 110, single quotes, imported names in biome's natural order), so the generated files pass
 * `npm run lint` unchanged.
 */

export const generatedHeader = '// generated from schemas/ by npm run gen:types — do not edit';

const LINE_WIDTH = 110;

export const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const isIdentifier = (s: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);

/** An object key: bare when it is an identifier, else quoted. */
export const propKey = (s: string): string => (isIdentifier(s) ? s : quote(s));

/** `inventory-commands` → `InventoryCommands`. */
export const pascalCase = (topic: string): string =>
  topic
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');

/** Biome's natural order of names (A < a < B < b), as it sorts imported names. */
export function naturalOrder(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const ca = a[i] as string;
    const cb = b[i] as string;
    if (ca === cb) continue;
    const la = ca.toLowerCase();
    const lb = cb.toLowerCase();
    if (la !== lb) return la < lb ? -1 : 1;
    return ca === la ? 1 : -1; // the same letter: upper case first
  }
  return a.length - b.length;
}

/** `import type { A, B } from './x.ts';` on one line, or one name per line when too long. */
export function typeImport(names: readonly string[], from: string): string[] {
  const oneLine = `import type { ${names.join(', ')} } from '${from}';`;
  if (oneLine.length <= LINE_WIDTH) return [oneLine];
  return ['import type {', ...names.map((n) => `  ${n},`), `} from '${from}';`];
}

export function docComment(doc: unknown, indent: string): string[] {
  if (typeof doc !== 'string' || doc.trim() === '') return [];
  const lines = doc.replace(/\*\//g, '*\\/').trim().split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l.trimEnd()}`.trimEnd()), `${indent} */`];
}

/** `  key: ['a', 'b'],` on one line, or one item per line when too long (like biome). */
export function arrayProperty(key: string, items: readonly string[], indent: string): string[] {
  const oneLine = `${indent}${key}: [${items.join(', ')}],`;
  if (oneLine.length <= LINE_WIDTH) return [oneLine];
  return [`${indent}${key}: [`, ...items.map((item) => `${indent}  ${item},`), `${indent}],`];
}

/** `export type X = A | B;` on one line, or one member per line when too long (like biome/prettier). */
export function unionAlias(name: string, members: string[]): string[] {
  const oneLine = `export type ${name} = ${members.join(' | ')};`;
  if (oneLine.length <= LINE_WIDTH) return [oneLine];
  return [
    `export type ${name} =`,
    ...members.map((m, i) => `  | ${m}${i === members.length - 1 ? ';' : ''}`),
  ];
}
