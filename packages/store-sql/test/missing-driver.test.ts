/**
 * The drivers are optional peer dependencies (a PostgreSQL-only host builds no native SQLite
 * module): a missing one fails with an error naming the package to install, and any other
 * failure to load a driver (a native module built for another Node ABI) is not mistaken for it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DRIVERS, MissingDriverError } from '../src/index.js';
import { loadDriver } from '../src/drivers.js';

/** What Node's ESM loader throws for a package that is not installed. */
function notFound(name: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${name}' imported from /app/node_modules/@factorkit/store-sql`),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
}

describe('store-sql drivers as optional peer dependencies', () => {
  it.each([
    ['sqlite', 'better-sqlite3'],
    ['postgres', 'pg'],
  ] as const)(
    'a missing %s driver names the package %s and how to install it',
    async (dialect, name) => {
      const err = await loadDriver(dialect, () => Promise.reject(notFound(name))).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MissingDriverError);
      expect((err as Error).message).toContain(`"${name}" is not installed`);
      expect((err as Error).message).toContain(`npm install ${name}@${DRIVERS[dialect].range}`);
      expect((err as MissingDriverError).dialect).toBe(dialect);
    },
  );

  it('a driver that is installed but fails to load passes its own error through', async () => {
    const abi = Object.assign(new Error('was compiled against a different Node.js version'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    await expect(loadDriver('sqlite', () => Promise.reject(abi))).rejects.toBe(abi);
    // Another missing module (a driver's own dependency) is not the driver missing.
    const inner = notFound('bindings');
    await expect(loadDriver('sqlite', () => Promise.reject(inner))).rejects.toBe(inner);
  });

  it('the drivers are optional peers, not dependencies, and the ranges match the package.json', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as Record<string, Record<string, unknown>>;
    for (const { name, range } of Object.values(DRIVERS)) {
      expect(pkg['dependencies']?.[name]).toBeUndefined();
      expect(pkg['peerDependencies']?.[name]).toBe(range);
      expect(pkg['peerDependenciesMeta']?.[name]).toEqual({ optional: true });
    }
  });
});
