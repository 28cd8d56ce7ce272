// Paired rounds: the baseline and the subject run in alternating batches (A B, then B A, ...)
// in the same process, so a burst of noise on this shared machine lands on both alike. Each
// round yields one ratio (subject time per op / baseline time per op); the row reports the
// median of those ratios with their min and max, and the median op rate of each side.
// Hand-written rather than tinybench or mitata: both time one function at a time, and what is
// wanted here is the ratio of two interleaved batches, round by round.
import { performance } from 'node:perf_hooks';

/** Median of numbers (the lower middle for an even count, so it is always a measured value). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

async function batch(fn, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t0) / n;
}

/** How many calls of `fn` fill about `targetMs`. */
async function calibrate(fn, targetMs) {
  let n = 1;
  for (;;) {
    const per = await batch(fn, n);
    if (per * n >= targetMs / 4 || n >= 1 << 20) return Math.max(1, Math.ceil(targetMs / per));
    n *= 4;
  }
}

/**
 * Runs `baseline.fn` and `subject.fn` in paired rounds.
 * @param {{ fn: (i: number) => unknown }} baseline
 * @param {{ fn: (i: number) => unknown }} subject
 * @param {{ rounds: number, batchMs: number, warmup?: number }} opts
 * @returns {Promise<{ ratio: { median: number, min: number, max: number },
 *   baselineOps: number, subjectOps: number, rounds: number, ops: { baseline: number, subject: number } }>}
 */
export async function pairedRounds(baseline, subject, opts) {
  const warm = opts.warmup ?? Math.max(1, Math.round(opts.batchMs / 2));
  await batch(baseline.fn, 1);
  await batch(subject.fn, 1);
  // Warm-up: let both reach the optimising compiler before anything is kept.
  const nb = await calibrate(baseline.fn, warm);
  const ns = await calibrate(subject.fn, warm);
  const nBase = Math.max(1, Math.round((nb * opts.batchMs) / warm));
  const nSubj = Math.max(1, Math.round((ns * opts.batchMs) / warm));
  const ratios = [];
  const baseTimes = [];
  const subjTimes = [];
  for (let r = 0; r < opts.rounds; r++) {
    let b;
    let s;
    if (r % 2 === 0) {
      b = await batch(baseline.fn, nBase);
      s = await batch(subject.fn, nSubj);
    } else {
      s = await batch(subject.fn, nSubj);
      b = await batch(baseline.fn, nBase);
    }
    baseTimes.push(b);
    subjTimes.push(s);
    ratios.push(s / b);
  }
  return {
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    baselineOps: 1000 / median(baseTimes),
    subjectOps: 1000 / median(subjTimes),
    rounds: opts.rounds,
    ops: { baseline: nBase, subject: nSubj },
  };
}
