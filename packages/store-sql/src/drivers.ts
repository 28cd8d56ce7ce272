/**
 * The database drivers are optional peer dependencies: a PostgreSQL-only host need not build
 * the native SQLite module, a SQLite-only host need not install `pg`. Each is imported on first
 * use; a missing one fails with a message naming the package to install.
 */

/** The driver packages, with the versions this release is tested with. */
export const DRIVERS = {
  sqlite: { name: 'better-sqlite3', range: '^12.11.1' },
  postgres: { name: 'pg', range: '^8.23.1' },
} as const;

export type DriverDialect = keyof typeof DRIVERS;

/** Thrown when a dialect's driver package is not installed. */
export class MissingDriverError extends Error {
  override readonly name = 'MissingDriverError';
  constructor(
    readonly dialect: DriverDialect,
    cause: unknown,
  ) {
    const { name, range } = DRIVERS[dialect];
    super(
      `store-sql: the ${dialect} driver "${name}" is not installed. It is an optional peer ` +
        `dependency: install it next to @factorkit/store-sql (npm install ${name}@${range}).`,
      { cause },
    );
  }
}

function isModuleNotFound(err: unknown, name: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes(`'${name}'`)
  );
}

/**
 * Imports a dialect's driver. `importer` exists for the test that proves the message; the
 * default is the plain dynamic import. Other failures (a native module built for another Node
 * ABI, say) pass through unchanged: they are not a missing package.
 */
export async function loadDriver<T>(
  dialect: DriverDialect,
  importer: (specifier: string) => Promise<T>,
): Promise<T> {
  const { name } = DRIVERS[dialect];
  try {
    return await importer(name);
  } catch (err) {
    if (isModuleNotFound(err, name)) throw new MissingDriverError(dialect, err);
    throw err;
  }
}
