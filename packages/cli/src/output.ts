/** Exit codes, typed CLI errors and the one place output is written (human text or `--json`). */

/** The documented exit codes (README "Operating factorkit"). */
export const EXIT = {
  ok: 0,
  /** A check failed: an invalid config, an unhealthy provider, a pending migration. */
  checkFailed: 1,
  /** Bad arguments or options. */
  usage: 2,
  /** The config module could not be loaded, or the store could not be reached. */
  unavailable: 3,
  /** The operation was refused (e.g. a reason too short for an admin action). */
  refused: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Issue {
  path: string;
  message: string;
}

/** An error the CLI reports as one clear line (never a stack trace) with its exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly issues: readonly Issue[] = [],
  ) {
    super(message);
  }
}

export interface Reporter {
  readonly json: boolean;
  /**
   * Prints a command's result: `{ ok: true, command, result }` with `--json`, else the text,
   * then `note` on stderr (a summary for a command whose stdout is data, e.g. `export`).
   */
  result(command: string, result: unknown, text: string, note?: string): void;
  /** Prints an error: `{ ok: false, command, error: { code, message, issues } }` with `--json`. */
  error(command: string, err: CliError): void;
}

export function reporter(json: boolean): Reporter {
  return {
    json,
    result(command, result, text, note) {
      process.stdout.write(
        json ? `${JSON.stringify({ ok: true, command, result }, null, 2)}\n` : `${text}\n`,
      );
      if (!json && note !== undefined) process.stderr.write(`${note}\n`);
    },
    error(command, err) {
      if (json) {
        const error = { code: err.code, message: err.message, issues: err.issues };
        process.stdout.write(`${JSON.stringify({ ok: false, command, error }, null, 2)}\n`);
        return;
      }
      process.stderr.write(`factorkit ${command}: ${err.message}\n`);
      for (const i of err.issues) process.stderr.write(`  - ${i.path}: ${i.message}\n`);
    },
  };
}
