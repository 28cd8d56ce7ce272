/** The two SQL stores every CLI store test runs against, as config source and as options. */
import { join } from 'node:path';
import pg from 'pg';
import type { SqlStoreOptions } from '@factorkit/store-sql';
import { PG_URL } from './workspace.js';

process.env['FACTORKIT_CLI_TEST_PG'] = PG_URL;

export interface Target {
  name: string;
  /** The JS source of the `store` option in the workspace's config module. */
  store: string;
  /** The same store, opened from the test process. */
  options(dir: string): SqlStoreOptions;
}

export function targets(prefix: string): { targets: Target[]; dropSchema(): Promise<void> } {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    targets: [
      {
        name: 'SQLite',
        store: "{ dialect: 'sqlite', filename: './data.db' }",
        options: (dir) => ({ dialect: 'sqlite', filename: join(dir, 'data.db') }),
      },
      {
        name: 'PostgreSQL',
        store: `{ dialect: 'postgres', connectionString: process.env.FACTORKIT_CLI_TEST_PG, schema: '${schema}' }`,
        options: () => ({ dialect: 'postgres', connectionString: PG_URL, schema }),
      },
    ],
    async dropSchema() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
