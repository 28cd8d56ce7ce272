/**
 * A throwaway operator folder for the CLI tests: a factorkit.config.mjs, a deployment file with
 * its key in the environment, and the built binary run in it as an operator would.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(packageDir, 'dist', 'bin.js');

/** A password the PostgreSQL test server ignores (trust), so it can be sought in the output. */
export const PG_PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
export const PG_URL = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:5432/test`;

export interface Workspace {
  readonly dir: string;
  readonly key: string;
  run(...args: string[]): { code: number | null; stdout: string; stderr: string; all: string };
  json(...args: string[]): { code: number | null; body: Record<string, unknown> };
  write(name: string, text: string): void;
  cleanup(): void;
}

export function deployment(overrides: Record<string, unknown> = {}) {
  return {
    providers: { totp: { enabled: true, settings: { issuer: 'CLI test' } } },
    policy: { audiences: { client: {}, admin: { force: true } } },
    encryption: { activeKeyId: 'k1', keys: { k1: { $env: 'FACTORKIT_CLI_TEST_KEY' } } },
    ...overrides,
  };
}

/**
 * `store` is the JS source of the store option in the config module; `extra`, more of its
 * source: lines before the export (`imports`), options inside defineConfig (`options`) and the
 * providers list (`providers`, default `[TotpProvider]`).
 */
export function workspace(
  store: string,
  extra: { imports?: string[]; options?: string[]; providers?: string } = {},
): Workspace {
  // Inside the package so the config module resolves @factorkit/* the way a host's would.
  const dir = mkdtempSync(join(packageDir, '.test-'));
  const key = randomBytes(32).toString('base64');
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write('factorkit.json', JSON.stringify(deployment()));
  write(
    'factorkit.config.mjs',
    [
      "import { defineConfig } from '@factorkit/cli';",
      "import { TotpProvider } from '@factorkit/provider-totp';",
      ...(extra.imports ?? []),
      'export default defineConfig({',
      `  providers: ${extra.providers ?? '[TotpProvider]'},`,
      "  deployment: './factorkit.json',",
      `  store: ${store},`,
      ...(extra.options ?? []).map((o) => `  ${o},`),
      '});',
    ].join('\n'),
  );
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, FACTORKIT_CLI_TEST_KEY: key, NO_COLOR: '1' },
      timeout: 20_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
  };
  return {
    dir,
    key,
    run,
    write,
    json(...args) {
      const r = run('--json', ...args);
      return { code: r.code, body: JSON.parse(r.stdout) as Record<string, unknown> };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
