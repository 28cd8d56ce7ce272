/**
 * Every ```ts block of README.md and packages/*\/README.md type-checks under the repository's
 * strict settings, against the built packages, as a reader would paste it. Blocks go to
 * .tmp/readme-code/ (gitignored), one folder per README and one module per block; a block written
 * ```ts file=name.ts is saved under that name, so a later block can import './name.js'. A block
 * marked ```ts nocompile is skipped, and must open with a comment saying why.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(repo, '.tmp', 'readme-code');

interface Block {
  readonly readme: string;
  /** 1-based README line of the block's first code line. */
  readonly line: number;
  readonly file: string | undefined;
  readonly nocompile: boolean;
  readonly code: string;
}

const readmes = [
  'README.md',
  ...readdirSync(join(repo, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((p) => {
      try {
        readFileSync(join(repo, p));
        return true;
      } catch {
        return false;
      }
    }),
];

/** The ```ts blocks of one README, indented ones (inside list items) included. */
function blocksOf(readme: string): Block[] {
  const lines = readFileSync(join(repo, readme), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const info = (open[3] ?? '').split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^ *```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(indent));
    blocks.push({
      readme,
      line: i + 2,
      file: info.find((w) => w.startsWith('file='))?.slice('file='.length),
      nocompile: info.includes('nocompile'),
      code: body.join('\n') + '\n',
    });
    i = j;
  }
  return blocks;
}

/** `@factorkit/*` specifiers mapped to the built typings each package's exports map names. */
function workspacePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const dir of readdirSync(join(repo, 'packages'))) {
    const pkg = JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      exports: Record<string, { types?: string } | string>;
    };
    for (const [sub, target] of Object.entries(pkg.exports)) {
      if (typeof target !== 'object' || !target.types) continue;
      const specifier = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      paths[specifier] = [join(repo, 'packages', dir, target.types)];
    }
  }
  return paths;
}

const blocks = readmes.flatMap(blocksOf);
const written = new Map<string, Block>();
let diagnostics: readonly ts.Diagnostic[] = [];

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  for (const block of blocks.filter((b) => !b.nocompile)) {
    const folder = join(
      out,
      block.readme.replace(/\/?README\.md$/, '').replace(/\//g, '-') || 'root',
    );
    mkdirSync(folder, { recursive: true });
    const path = join(folder, block.file ?? `line-${block.line}.ts`);
    expect(written.has(path), `${block.readme}: two blocks named ${block.file}`).toBe(false);
    writeFileSync(path, block.code);
    written.set(path, block);
  }
  const options: ts.CompilerOptions = {
    ...ts.parseJsonConfigFileContent(
      { extends: relative(out, join(repo, 'tsconfig.base.json')), compilerOptions: {} },
      ts.sys,
      out,
    ).options,
    composite: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    noEmit: true,
    // Each block is a module of its own, even one without an import.
    moduleDetection: ts.ModuleDetectionKind.Force,
    paths: workspacePaths(),
  };
  const program = ts.createProgram([...written.keys()], options);
  diagnostics = ts.getPreEmitDiagnostics(program);
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function report(d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const block = d.file ? written.get(d.file.fileName) : undefined;
  if (!d.file || !block || d.start === undefined) return `TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${block.readme}:${block.line + line}:${character + 1} TS${d.code}: ${message}`;
}

describe('README code blocks compile under strict', () => {
  it('finds the blocks (the extraction works)', () => {
    expect(blocks.filter((b) => b.readme === 'packages/core/README.md').length).toBeGreaterThan(5);
  });

  it('nocompile blocks are rare and each says why in its first line', () => {
    const skipped = blocks.filter((b) => b.nocompile);
    for (const b of skipped) {
      expect(b.code.trimStart(), `${b.readme}:${b.line}`).toMatch(/^\/\/ .{10,}/);
    }
    expect(skipped.length).toBeLessThanOrEqual(3);
  });

  it('no diagnostic outside the README blocks themselves', () => {
    const foreign = diagnostics.filter((d) => !d.file || !written.has(d.file.fileName));
    expect(foreign.map(report)).toEqual([]);
  });

  for (const readme of readmes) {
    it(`${readme}: every ts block type-checks`, () => {
      const own = diagnostics.filter(
        (d) => d.file && written.get(d.file.fileName)?.readme === readme,
      );
      expect(own.map(report)).toEqual([]);
    });
  }
});
