/**
 * Requirement ids (`RP-01`, `OUT-02`): which ones docs/SECURITY.md defines, and which ones a text
 * cites without a definition. Used by security-ids.test.ts.
 *
 * docs/SECURITY.md declares its families in the table under the "### Families" heading (rows
 * `| RP | Replay |`) and defines each id as a table row starting with it (`| RP-01 | ... |`). A
 * citation is a declared family, a hyphen and digits, not glued to a letter, digit or hyphen
 * before it, nor to a digit after it: `DU-07a` cites DU-07, while `UTF-16`, `SHA-256` or `ML-DSA-44`
 * are no citations because their prefix is not a declared family.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SecurityDoc {
  /** Family prefixes, from the Families table. */
  readonly families: ReadonlySet<string>;
  /** Every id defined by a table row, in file order (duplicates kept, so a test can see them). */
  readonly ids: readonly string[];
  /** The cells of each id's row after the id (requirement, reference, owner). */
  readonly rows: ReadonlyMap<string, readonly string[]>;
}

export interface Citation {
  readonly id: string;
  /** 1-based line of the citation in the text. */
  readonly line: number;
}

const FAMILY_ROW = /^\|\s*([A-Z]{2,3})\s*\|/;
const ID_ROW = /^\|\s*([A-Z]{2,3}-\d{2})\s*\|(.*)\|\s*$/;

function cells(rest: string): string[] {
  // Split on unescaped pipes (`\|` inside a cell is a literal pipe).
  return rest.split(/(?<!\\)\|/).map((c) => c.trim());
}

export function parseSecurityDoc(markdown: string): SecurityDoc {
  const families = new Set<string>();
  const ids: string[] = [];
  const rows = new Map<string, string[]>();
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      section = heading[1]!.trim();
      continue;
    }
    if (section === 'Families') {
      const f = FAMILY_ROW.exec(line);
      if (f) families.add(f[1]!);
      continue;
    }
    const m = ID_ROW.exec(line);
    if (m) {
      ids.push(m[1]!);
      rows.set(m[1]!, cells(m[2]!));
    }
  }
  return { families, ids, rows };
}

/** A global pattern matching a citation of any of the families. */
export function citationPattern(families: Iterable<string>): RegExp {
  const alternatives = [...families].sort((a, b) => b.length - a.length || a.localeCompare(b));
  if (alternatives.length === 0) throw new Error('no families declared');
  return new RegExp(`(?<![A-Za-z0-9-])(?:${alternatives.join('|')})-\\d+(?!\\d)`, 'g');
}

/** Every citation in `text` of a declared family whose id is not defined. */
export function undefinedCitations(text: string, doc: SecurityDoc): Citation[] {
  const defined = new Set(doc.ids);
  const found: Citation[] = [];
  const pattern = citationPattern(doc.families);
  let line = 1;
  let scanned = 0;
  for (const m of text.matchAll(pattern)) {
    for (; scanned < m.index; scanned++) if (text.charCodeAt(scanned) === 10) line++;
    if (!defined.has(m[0])) found.push({ id: m[0], line });
  }
  return found;
}

/** Tracked files under the given paths (directories or files), relative to `root`. */
export function trackedFiles(root: string, paths: readonly string[]): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', ...paths], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // A file deleted in the work tree but not yet in the index cites nothing.
  return out
    .split('\0')
    .filter((f) => f.length > 0)
    .filter((f) => existsSync(join(root, f)));
}

/** Reads each file once and reports its undefined citations as `path:line id`. */
export function scanFiles(root: string, files: readonly string[], doc: SecurityDoc): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const c of undefinedCitations(text, doc)) problems.push(`${file}:${c.line} ${c.id}`);
  }
  return problems;
}
