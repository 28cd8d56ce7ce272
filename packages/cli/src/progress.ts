/**
 * The progress bar of commands that walk every user or row, drawn on stderr so stdout stays the
 * result. Callers pass `enabled` only on a terminal and never under `--json` (run.ts).
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Counts `n` more items done. */
  increment(n?: number): void;
  stop(): void;
}

const NONE: Progress = { increment: () => undefined, stop: () => undefined };

/**
 * A bar out of `total`, or a plain running count when the total is unknown (a host's user
 * source may not say how many users it has). `unit` names what is counted ("users").
 */
export function progressBar(enabled: boolean, total: number | undefined, unit: string): Progress {
  if (!enabled) return NONE;
  const format =
    total === undefined
      ? `{value} ${unit} | {duration_formatted}`
      : `{bar} {percentage}% | {value}/{total} ${unit} | ETA: {eta_formatted}`;
  const bar = new SingleBar({ stream: process.stderr, hideCursor: true, format });
  bar.start(total ?? 0, 0);
  let stopped = false;
  return {
    increment: (n = 1) => bar.increment(n),
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
