import { sql, type DatabaseIntrospector, type Kysely, type TableMetadata } from 'kysely';

/**
 * The database handle the PostgreSQL migration runs on, with an introspector that sees only
 * factorkit's own schema. Kysely's migrator asks only "does my schema exist, does my table
 * exist", but its PostgreSQL introspector answers by reading every schema on the server and
 * calling name-based functions (`has_schema_privilege`, `pg_get_serial_sequence`) on each row:
 * a schema another tenant or process drops meanwhile fails our migration with "schema does not
 * exist" (3F000), a server with thousands of schemas slows every start-up, and with the default
 * schema a `factorkit_migration` table in *another* schema passes for ours. No option of the
 * migrator narrows that, hence this small answer of our own, by oid joins within one schema.
 */
export function withOwnSchemaIntrospection<DB>(
  db: Kysely<DB>,
  schema: string | undefined,
): Kysely<DB> {
  const target = schema === undefined ? sql`current_schema()` : sql`${schema}`;
  const introspector: DatabaseIntrospector = {
    async getSchemas() {
      const r = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${target}`.execute(db);
      return r.rows.map((row) => ({ name: row.name }));
    },
    async getTables(): Promise<TableMetadata[]> {
      const r = await sql<{ name: string; schema: string }>`
        select c.relname as name, n.nspname as schema
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${target} and c.relkind in ('r', 'p')`.execute(db);
      return r.rows.map((row) => ({
        name: row.name,
        schema: row.schema,
        isView: false,
        isForeign: false,
        columns: [],
      }));
    },
  };
  return new Proxy(db, {
    get(kysely, prop) {
      if (prop === 'introspection') return introspector;
      // Kysely keeps its state in private fields: every method must run on the real instance.
      const value: unknown = Reflect.get(kysely, prop, kysely);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(kysely)
        : value;
    },
  });
}
