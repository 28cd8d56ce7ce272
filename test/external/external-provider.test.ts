/**
 * "A provider written outside this repository against the documented contract registers and
 * passes @factorkit/core/testing without any change to core." This test does exactly that: it
 * packs @factorkit/core as it would be published, installs the tarball with npm into a fresh
 * folder outside the workspace, compiles providers there (the example provider with tsc and its
 * own tsconfig; a README-style provider with esbuild, which emits no decorator metadata), and
 * runs the conformance kit with node:test (not vitest), reading node's own pass/fail counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'factorkit-external-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runner = `
import { describe, it } from 'node:test';
import { CryptoRandomSource } from '@factorkit/core';
import { describeProviderConformance } from '@factorkit/core/testing';
import { EmailCodeProvider } from './dist/email-code-provider.js';

const mailbox = new Map();
const inbox = (to) => mailbox.get(to) ?? 'no-mail';
describeProviderConformance('external email-code provider', {
  provider: () => new EmailCodeProvider(new CryptoRandomSource(), (to, _s, code) => mailbox.set(to, code)),
  settings: { digits: 6 },
  answerActivation: ({ user }) => inbox(user.email),
  answerChallenge: ({ user }) => inbox(user.email),
  wrongAnswer: ({ user }) => (inbox(user.email) === '000000' ? '111111' : '000000'),
}, { describe, it });
`;

/** Runs a node:test file in the work folder; node's own TAP counts decide. */
function nodeTest(file: string): {
  pass: number;
  fail: number;
  status: number | null;
  out: string;
} {
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], {
    cwd: work,
    encoding: 'utf8',
  });
  return {
    pass: Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? -1),
    fail: Number(/^# fail (\d+)$/m.exec(run.stdout)?.[1] ?? -1),
    status: run.status,
    out: run.stdout.slice(-3000) + run.stderr,
  };
}

describe('a provider written outside this repository', () => {
  beforeAll(() => {
    execFileSync(
      'npx',
      ['-y', 'pnpm@12.4.2', '--filter', '@factorkit/core', 'pack', '--pack-destination', work],
      { cwd: repo, stdio: 'pipe' },
    );
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^factorkit-core-\d+\.\d+\.\d+\.tgz$/);
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: 'external-provider',
        private: true,
        type: 'module',
        dependencies: { '@factorkit/core': `file:./${tarball}` },
      }),
    );
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'],
      { cwd: work, stdio: 'pipe' },
    );
  }, 240_000);

  it('compiles with tsc and passes the conformance kit under node:test', () => {
    copyFileSync(
      join(repo, 'examples', 'email-code-provider', 'email-code-provider.ts'),
      join(work, 'email-code-provider.ts'),
    );
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'dist',
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['email-code-provider.ts'],
      }),
    );
    execFileSync(
      process.execPath,
      [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work],
      { cwd: work, stdio: 'pipe' },
    );
    writeFileSync(join(work, 'conformance.test.mjs'), runner);
    const run = nodeTest('conformance.test.mjs');
    expect({ fail: run.fail, status: run.status }, run.out).toEqual({ fail: 0, status: 0 });
    expect(run.pass).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('compiled by esbuild (no decorator metadata): @Provider() alone fails clearly; @Provider({ inject }) and defineProvider pass the kit', () => {
    const fixtures = join(here, 'fixtures');
    copyFileSync(join(fixtures, 'step-code-provider.ts'), join(work, 'step-code-provider.ts'));
    copyFileSync(join(fixtures, 'esbuild-runner.mjs'), join(work, 'esbuild.test.mjs'));
    buildSync({
      entryPoints: [join(work, 'step-code-provider.ts')],
      outdir: join(work, 'dist'),
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      // What a project's tsconfig says: esbuild honours the first flag and ignores the second.
      tsconfigRaw: JSON.stringify({
        compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true },
      }),
      logLevel: 'silent',
    });
    const compiled = readFileSync(join(work, 'dist', 'step-code-provider.js'), 'utf8');
    expect(compiled).toMatch(/__decorateClass/);
    expect(compiled).not.toMatch(/design:paramtypes/);
    const run = nodeTest('esbuild.test.mjs');
    expect({ fail: run.fail, status: run.status }, run.out).toEqual({ fail: 0, status: 0 });
    // The 3 old-way tests and two kit suites of (today) 17 checks each.
    expect(run.pass).toBeGreaterThanOrEqual(3 + 2 * 17);
  }, 120_000);
});
