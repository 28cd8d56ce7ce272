/**
 * `keys generate` and `keys rotate`: a fresh encryption key, and moving every stored secret onto
 * the config's active key. Rotation itself is core's (`rotateEncryptionKeys`): each secret is
 * swapped by compare-and-set and rows already under the active key are skipped, so a run that
 * is killed leaves every row whole on one key or the other, and running it again finishes the
 * job. This file only adds what an operator watches: a progress bar, a report file, pauses.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SingleBar } from 'cli-progress';
import {
  CryptoRandomSource,
  generateEncryptionKey,
  TwoFactorService,
  type EnrollmentStore,
} from '@factorkit/core';
import type { SqlStores } from '@factorkit/store-sql';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';

type KeyRotationReport = Awaited<ReturnType<TwoFactorService['rotateEncryptionKeys']>>;

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Prints a key for `encryption.keys`: the one command whose output is a secret, by design. */
export function keysGenerate(id: string) {
  if (!KEY_ID.test(id))
    throw new CliError(
      'INVALID_KEY_ID',
      `--id must be 1 to 32 letters, digits, "_" or "-", starting with a letter or digit; got "${id}"`,
      EXIT.usage,
    );
  const key = generateEncryptionKey(new CryptoRandomSource());
  return {
    result: { keyId: id, key },
    text: [
      key,
      '',
      `Keep it in your secret manager, then reference it from the deployment config:`,
      `  "encryption": { "activeKeyId": "${id}", "keys": { "${id}": { "$env": "FACTORKIT_KEY_${id.toUpperCase().replace(/-/g, '_')}" }, ... } }`,
      'Keep the old key in "keys" until `factorkit keys rotate` reports nothing left under it.',
    ].join('\n'),
  };
}

export interface RotateOptions {
  readonly batch: number;
  /** Milliseconds to wait between batches, to spare a busy database. */
  readonly pauseMs: number;
  /** A JSON file rewritten after every batch: how far the run got, for a run that is killed. */
  readonly report?: string;
  /** Draw a bar on stderr (a terminal, and not `--json`). */
  readonly progress: boolean;
}

interface RunState {
  total: number;
  seen: number;
  rotated: number;
  started: string;
}

/**
 * The store core rotates through, watched: every page core lists is counted (for the bar and
 * the report) before core works on it, and the pause happens between pages.
 */
function watched(
  store: EnrollmentStore,
  state: RunState,
  o: RotateOptions,
  tick: () => void,
): EnrollmentStore {
  let first = true;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listAll')
        return async (after: string | null, limit: number) => {
          if (!first) {
            tick();
            if (o.pauseMs > 0) await sleep(o.pauseMs);
          }
          first = false;
          const page = await target.listAll(after, limit);
          state.seen += page.length;
          return page;
        };
      if (prop === 'replaceSecret')
        return async (id: string, expected: string, next: string) => {
          const done = await target.replaceSecret(id, expected, next);
          if (done) state.rotated++;
          return done;
        };
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

async function countAll(store: EnrollmentStore, batch: number): Promise<number> {
  let total = 0;
  let after: string | null = null;
  for (;;) {
    const page = await store.listAll(after, batch);
    if (page.length === 0) return total;
    total += page.length;
    after = page[page.length - 1]!.id;
  }
}

export async function keysRotate(m: LoadedModule, sql: SqlStores, o: RotateOptions) {
  const config = loadDeployment(m);
  const activeKeyId = config.encryption.activeKeyId;
  const state: RunState = {
    total: await countAll(sql.stores.enrollments, o.batch),
    seen: 0,
    rotated: 0,
    started: new Date().toISOString(),
  };
  const bar = o.progress ? new SingleBar({ stream: process.stderr, hideCursor: true }) : undefined;
  bar?.start(state.total, 0);
  const writeReport = (finished: KeyRotationReport | null) => {
    if (o.report === undefined) return;
    const body = { activeKeyId, ...state, finished: finished !== null, ...(finished ?? {}) };
    writeFileSync(o.report, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  };
  const tick = () => {
    bar?.update(state.seen);
    writeReport(null);
  };
  const service = new TwoFactorService({
    registry: m.registry,
    config,
    stores: { ...sql.stores, enrollments: watched(sql.stores.enrollments, state, o, tick) },
    ...(m.cli.audit ? { audit: m.cli.audit } : {}),
  });
  let report: KeyRotationReport;
  try {
    report = await service.rotateEncryptionKeys(o.batch);
  } finally {
    bar?.update(state.seen);
    bar?.stop();
  }
  writeReport(report);
  const failures = report.failed.map((f) => `  ${f.enrollmentId}: ${f.code}`);
  return {
    result: { activeKeyId, total: state.total, ...report },
    text: [
      `${report.rotated} secret(s) moved to key "${activeKeyId}", ${report.unchanged} already on it, ${report.failed.length} failed`,
      ...(failures.length > 0
        ? ['failed (run again; a CONCURRENT_CHANGE row was changed by a sign-in meanwhile):']
        : []),
      ...failures,
    ].join('\n'),
    passed: report.failed.length === 0,
  };
}
