/**
 * "A provider written outside this repository against the documented contract registers and
 * passes @factorkit/core/testing without any change to core." This test does exactly that: it
 * packs @factorkit/core as it would be published, installs the tarball with npm into a fresh
 * folder outside the workspace, compiles the example provider there with its own tsconfig, and
 * runs the conformance kit with node:test (not vitest), reading node's own pass/fail counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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

describe('a provider written outside this repository', () => {
  it('installs the packed core, compiles, and passes the conformance kit under node:test', () => {
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
    const run = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=tap', 'conformance.test.mjs'],
      { cwd: work, encoding: 'utf8' },
    );
    const pass = Number(/^# pass (\d+)$/m.exec(run.stdout)?.[1] ?? -1);
    const fail = Number(/^# fail (\d+)$/m.exec(run.stdout)?.[1] ?? -1);
    expect({ fail, status: run.status }, run.stdout.slice(-3000) + run.stderr).toEqual({
      fail: 0,
      status: 0,
    });
    expect(pass).toBeGreaterThanOrEqual(12);
  }, 240_000);
});
