/**
 * The MIT licence at the root, and the same file in every package folder (npm and pnpm always
 * pack a package's LICENSE, whatever its `files` list says), matching each package.json.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'packages', d.name, 'package.json')))
  .map((d) => d.name);

describe('licence', () => {
  it('the root LICENSE is MIT, copyright 2026 the factorkit authors', () => {
    expect(license.startsWith('MIT License\n')).toBe(true);
    expect(license).toContain('Copyright (c) 2026 the factorkit authors\n');
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  });

  it('finds the packages', () => {
    expect(packages).toEqual(
      expect.arrayContaining(['core', 'provider-totp', 'provider-duo', 'provider-yubikey']),
    );
  });

  it.each(packages)('packages/%s has the same LICENSE and says MIT', (name) => {
    const dir = join(root, 'packages', name);
    expect(existsSync(join(dir, 'LICENSE'))).toBe(true);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      license?: unknown;
    };
    expect(pkg.license).toBe('MIT');
  });
});
