/**
 * Every requirement id cited in the repository is defined in docs/SECURITY.md. The checker is
 * proven first on seeded text (an undefined id must be reported, defined ids and look-alikes must
 * not), then run over every tracked file under the paths below, each read once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  citationPattern,
  parseSecurityDoc,
  scanFiles,
  trackedFiles,
  undefinedCitations,
} from './security-ids.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECURITY = 'docs/SECURITY.md';
const SCANNED = ['packages', 'test', 'examples', 'bench', 'scripts', 'README.md', 'docs'];
/** This file seeds undefined ids on purpose. */
const SELF = 'test/docs/security-ids.test.ts';
/** Families the code cites today; a family dropped from docs/SECURITY.md must fail here. */
const KNOWN_FAMILIES = [
  ...['BF', 'CC', 'CF', 'CK', 'DA', 'DU', 'EN', 'FL', 'IN', 'LG', 'OUT', 'RP', 'SS', 'VEC'],
  ...['WA', 'YK'],
];

const doc = parseSecurityDoc(readFileSync(join(root, SECURITY), 'utf8'));

describe('docs/SECURITY.md', () => {
  it('declares every known family, and each declared family defines ids', () => {
    expect([...doc.families].sort()).toEqual(expect.arrayContaining(KNOWN_FAMILIES));
    const used = new Set(doc.ids.map((id) => id.slice(0, id.indexOf('-'))));
    expect([...doc.families].filter((f) => !used.has(f))).toEqual([]);
    expect([...used].filter((f) => !doc.families.has(f))).toEqual([]);
  });

  it('defines each id once, with a requirement, a reference and an owner', () => {
    expect(doc.ids.filter((id, i) => doc.ids.indexOf(id) !== i)).toEqual([]);
    const incomplete = doc.ids.filter((id) => {
      const row = doc.rows.get(id)!;
      return row.length !== 3 || row.some((cell) => cell.length === 0);
    });
    expect(incomplete).toEqual([]);
  });

  it('numbers each family from 01 without a gap', () => {
    const byFamily = new Map<string, number[]>();
    for (const id of doc.ids) {
      const [family, n] = id.split('-') as [string, string];
      byFamily.set(family, [...(byFamily.get(family) ?? []), Number(n)]);
    }
    for (const [family, numbers] of byFamily) {
      const sorted = [...numbers].sort((a, b) => a - b);
      expect({ family, numbers: sorted }).toEqual({
        family,
        numbers: sorted.map((_, i) => i + 1),
      });
    }
  });
});

describe('the citation checker', () => {
  it('reports an undefined number of a known family, with its line', () => {
    const text = 'first line\nsee RP-01 and RP-99 here\n\n(OUT-7, CK-05)';
    expect(undefinedCitations(text, doc)).toEqual([
      { id: 'RP-99', line: 2 },
      { id: 'OUT-7', line: 4 },
      { id: 'CK-05', line: 4 },
    ]);
  });

  it('reports nothing for text that cites only defined ids', () => {
    const text = [
      '// Requirements: RP-01, DU-07a, DU-03c (OUT-01..OUT-05, VEC-01..03).',
      "describe('legacy push (DA-05, RP-04)', () => {",
      '| WA-20 | ... | YK-15 |',
    ].join('\n');
    expect(undefinedCitations(text, doc)).toEqual([]);
  });

  it('ignores look-alikes whose prefix is not a family, or that are glued to other text', () => {
    const text =
      'UTF-16, UTF-8, CRC-16, DSA-44, ML-DSA-44, ES-256, SHA-256, AES-256, CWE-208, ' +
      'CVE-2024-37313, GHSA-9v72-9xv5-3p7c, ISO-8601, rp-99, XRP-99, 2RP-99';
    expect(text.match(citationPattern(doc.families))).toBeNull();
  });

  it('checks only declared families', () => {
    const declared = parseSecurityDoc(
      ['### Families', '', '| Family | Subject |', '|---|---|', '| ZZ | Test |', '', '### ZZ', '']
        .concat(['| ID | Requirement | Reference | Owner |', '|---|---|---|---|'])
        .concat(['| ZZ-01 | A \\| B | RFC 1 | core |'])
        .join('\n'),
    );
    expect([...declared.families]).toEqual(['ZZ']);
    expect(declared.rows.get('ZZ-01')).toEqual(['A \\| B', 'RFC 1', 'core']);
    expect(undefinedCitations('ZZ-01 ZZ-02 RP-99', declared)).toEqual([{ id: 'ZZ-02', line: 1 }]);
    expect(undefinedCitations('ZZ-02', doc)).toEqual([]);
  });

  it('reports a seeded bad citation in a file as path:line id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factorkit-ids-'));
    try {
      writeFileSync(join(dir, 'good.ts'), '// RP-01\n');
      writeFileSync(join(dir, 'bad.ts'), '// fine\n// proves RP-99 and BF-01\n');
      expect(scanFiles(dir, ['good.ts', 'bad.ts'], doc)).toEqual(['bad.ts:2 RP-99']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the repository', () => {
  it('cites only ids that docs/SECURITY.md defines', () => {
    const files = trackedFiles(root, SCANNED).filter((f) => f !== SELF);
    // The scan really sees the repository, SECURITY.md included (it must be tracked).
    expect(files).toContain(SECURITY);
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('packages/')).length).toBeGreaterThan(50);
    expect(scanFiles(root, files, doc)).toEqual([]);
  });
});
