/**
 * What every command's registration shares: the global options, the runner that loads the config
 * module (and maybe the store) and reports the outcome once, and the option parsers.
 */
import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { FactorkitError } from '@factorkit/core';
import type { SqlStores } from '@factorkit/store-sql';
import { loadCliModule, openStore, storeUnreachable, type LoadedModule } from '../load.js';
import { CliError, EXIT, reporter, type ExitCode } from '../output.js';

export interface Outcome {
  result: unknown;
  text: string;
  /** False when the command ran but its check failed (exit 1). */
  passed?: boolean;
  /** A summary for stderr, when stdout carries data (never under `--json`). */
  note?: string;
}

export interface Globals {
  config?: string;
  json?: boolean;
}

/** The exit code of the one command this process runs (set by `action`, read by bin.ts). */
export const exit: { code: ExitCode } = { code: EXIT.ok };

/** A progress bar is drawn only on a terminal, and never under `--json` (its output is parsed). */
export function wantsProgress(cmd: Command): boolean {
  return process.stderr.isTTY === true && cmd.optsWithGlobals<Globals>().json !== true;
}

/** Runs one command: loads the config module, maybe the store, and reports what happened. */
export function action<A extends unknown[]>(
  name: string,
  needsStore: boolean,
  // Commander's arguments, options object and Command, in that order; a callback takes what it needs.
  run: (m: LoadedModule, sql: SqlStores | undefined, ...args: A) => Promise<Outcome> | Outcome,
) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const out = reporter(cmd.optsWithGlobals<Globals>().json === true);
    let sql: SqlStores | undefined;
    try {
      const m = await loadCliModule(cmd.optsWithGlobals<Globals>().config);
      if (needsStore) sql = await openStore(m);
      const o = await run(m, sql, ...(args as A));
      out.result(name, o.result, o.text, o.note);
      exit.code = o.passed === false ? EXIT.checkFailed : EXIT.ok;
    } catch (err) {
      const e = asCliError(err);
      out.error(name, e);
      exit.code = e.exitCode;
    } finally {
      await sql?.close().catch(() => undefined);
    }
  };
}

/** A command that needs neither the config module nor the store (`keys generate`). */
export function standalone<A extends unknown[]>(name: string, run: (...args: A) => Outcome) {
  return (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const out = reporter(cmd.optsWithGlobals<Globals>().json === true);
    try {
      const o = run(...(args as A));
      out.result(name, o.result, o.text);
    } catch (err) {
      const e = asCliError(err);
      out.error(name, e);
      exit.code = e.exitCode;
    }
  };
}

export function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof FactorkitError && err.code === 'STORE_UNAVAILABLE')
    return storeUnreachable(err.cause ?? err);
  if (err instanceof FactorkitError) return new CliError(err.code, err.message, EXIT.refused);
  // A driver error from the store (connection refused, missing table): no stack trace.
  return storeUnreachable(err);
}

export function count(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

export function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 36500)
    throw new InvalidArgumentError('must be a whole number of days, 1 to 36500');
  return n;
}

export function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
