import {
  createQueryId,
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { Database } from './schema.js';

/**
 * The statements of a sign-in, built and compiled by Kysely once per store rather than on every
 * call (issue 17: building and compiling the query trees was a sixth of a sign-in's CPU in
 * Node). Kysely has no statement with placeholders to fill in later, so each statement is built
 * with a marker object in place of every value the call supplies; the compiled parameter list
 * then says, per position, which argument goes there (a marker) or which constant the builder
 * put there itself. The SQL text is Kysely's own, with the schema plugin applied, so it is
 * exactly what the builder would send; only the values change from call to call.
 */

/** Where one argument of the call goes in a compiled statement's parameter list. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * One statement, built by `build` from its arguments. `build` receives marker values, never the
 * call's own: it must pass each argument straight to Kysely as a value (a `where`, `set` or
 * `values` operand), never branch on it, look into it or turn it into SQL text.
 */
export class CompiledStatement<Args extends readonly unknown[], Row> {
  /** Per Kysely instance (a dialect, a schema): its compiled query, `Slot`s among the parameters. */
  private readonly templates = new WeakMap<Kysely<Database>, CompiledQuery>();

  constructor(
    private readonly arity: Args['length'],
    private readonly build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
  ) {}

  private template(db: Kysely<Database>): CompiledQuery {
    let t = this.templates.get(db);
    if (!t) {
      const slots = Array.from({ length: this.arity }, (_, i) => new Slot(i));
      const compiled = this.build(db, ...(slots as unknown as Args)).compile();
      const used = new Set(compiled.parameters.filter((p) => p instanceof Slot));
      // A marker the builder dropped or inlined would leave an argument unbound: refuse the
      // statement at its first use rather than run it without that value.
      if (used.size !== this.arity)
        throw new Error('store-sql: a compiled statement does not bind every argument.');
      t = compiled;
      this.templates.set(db, t);
    }
    return t;
  }

  /** Runs the statement on `db` with this call's values. */
  private execute(db: Kysely<Database>, args: Args): Promise<QueryResult<Row>> {
    const t = this.template(db);
    return db.executeQuery<Row>({
      sql: t.sql,
      query: t.query,
      parameters: t.parameters.map((p) => (p instanceof Slot ? args[p.index] : p)),
      // Fresh per run, as a builder's compile gives: plugins and cancellation key on it.
      queryId: createQueryId(),
    });
  }

  /** The rows, as Kysely's `execute` returns them. */
  async rows(db: Kysely<Database>, ...args: Args): Promise<Row[]> {
    return (await this.execute(db, args)).rows;
  }

  /** The first row, or undefined (Kysely's `executeTakeFirst`). */
  async first(db: Kysely<Database>, ...args: Args): Promise<Row | undefined> {
    return (await this.execute(db, args)).rows[0];
  }

  /** The affected-row count of an UPDATE, INSERT or DELETE without RETURNING. */
  async affected(db: Kysely<Database>, ...args: Args): Promise<number> {
    return Number((await this.execute(db, args)).numAffectedRows ?? 0);
  }
}
