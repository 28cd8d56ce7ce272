/**
 * What `pnpm pack` puts in each package's tarball, as npm would publish it: every source map
 * (`.js.map` and `.d.ts.map`) names sources that are in the same tarball, so a debugger or an
 * editor's "go to definition" lands on real TypeScript instead of a missing ../src file; no test
 * file ships; and @factorkit/core carries the README a provider author reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'factorkit-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tarballs = new Map<string, string>();
beforeAll(() => {
  execFileSync(
    'npx',
    ['-y', 'pnpm@12.4.2', '-r', '--filter', './packages/*', 'pack', '--pack-destination', work],
    { cwd: repo, stdio: 'pipe' },
  );
  for (const file of readdirSync(work).filter((f) => f.endsWith('.tgz'))) {
    const dir = join(work, file.replace(/\.tgz$/, ''));
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('tar', ['-xzf', join(work, file), '-C', dir]);
    tarballs.set(file, dir);
  }
}, 120_000);

/** Every file in an unpacked tarball, as a POSIX path relative to its `package/` folder. */
function filesOf(dir: string): string[] {
  const root = join(dir, 'package');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)).split(sep).join('/'));
}

describe('packed tarballs', () => {
  it('one tarball per package under packages/', () => {
    const packages = readdirSync(join(repo, 'packages'));
    expect(tarballs.size).toBe(packages.length);
  });

  it('every sources entry of every shipped .map resolves to a file inside the same tarball', () => {
    let maps = 0;
    for (const [tarball, dir] of tarballs) {
      const files = new Set(filesOf(dir));
      for (const map of [...files].filter((f) => f.endsWith('.map'))) {
        maps++;
        const parsed = JSON.parse(readFileSync(join(dir, 'package', map), 'utf8')) as {
          sources: string[];
          sourceRoot?: string;
        };
        expect(parsed.sources.length, `${tarball}: ${map} has no sources`).toBeGreaterThan(0);
        for (const source of parsed.sources) {
          const resolved = posix.normalize(
            posix.join(posix.dirname(map), parsed.sourceRoot ?? '', source),
          );
          expect(files.has(resolved), `${tarball}: ${map} points at ${source} (${resolved})`).toBe(
            true,
          );
        }
      }
    }
    expect(maps).toBeGreaterThan(100);
  });

  it('no test file ships, and core ships its README', () => {
    for (const [tarball, dir] of tarballs) {
      const files = filesOf(dir);
      expect(
        files.filter((f) => /(^|\/)test\/|\.test\.[cm]?[jt]s$/.test(f)),
        tarball,
      ).toEqual([]);
    }
    const core = [...tarballs].find(([name]) => name.startsWith('factorkit-core-'))!;
    expect(filesOf(core[1])).toContain('README.md');
  });
});
