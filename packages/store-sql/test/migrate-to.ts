/** Test helper: brings a database to one named migration, as an older release left it. */
import { Migrator } from 'kysely/migration';
import type { SqlStores } from '../src/index.js';
import { FactorkitMigrationProvider } from '../src/migrations.js';

export async function migrateTo(
  s: Pick<SqlStores, 'db' | 'dialect'>,
  name: string,
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db: s.db,
    provider: new FactorkitMigrationProvider(s.dialect, schema),
    migrationTableName: 'factorkit_migration',
    migrationLockTableName: 'factorkit_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migrating to ${name} failed`, { cause: error });
}
