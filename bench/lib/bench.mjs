// What a suite is handed: ways to add rows, and the run's mode. Suites never print; they add
// rows, and the runner prints one table for the whole run and writes it as JSON.
import { pairedRounds } from './paired.mjs';

/**
 * A goal says what a row's ratio (or value) should be: `{ max: 1.3 }` means "at most 1.3",
 * `{ below: 1 }` means "less than 1" (the subject must cost less than the baseline).
 */
export function goalMet(goal, value) {
  if (!goal || value === undefined || value === null) return undefined;
  if (goal.max !== undefined) return value <= goal.max;
  if (goal.below !== undefined) return value < goal.below;
  return undefined;
}

export function describeGoal(goal) {
  if (!goal) return '';
  if (goal.max !== undefined) return `<= ${goal.max}${goal.unit ?? 'x'}`;
  if (goal.below !== undefined) return `< ${goal.below}${goal.unit ?? 'x'}`;
  return '';
}

/**
 * @param {{ quick: boolean, suite: string }} mode
 */
export function createBench(mode) {
  const rows = [];
  const timing = mode.quick ? { rounds: 5, batchMs: 15 } : { rounds: 15, batchMs: 150 };
  return {
    quick: mode.quick,
    rows,
    /** Paired rounds of a baseline and a subject: one row with both op rates and their ratio. */
    async compare({ id, title, baseline, subject, goal, note, rounds, batchMs }) {
      const r = await pairedRounds(baseline, subject, {
        rounds: rounds ?? timing.rounds,
        batchMs: batchMs ?? timing.batchMs,
      });
      rows.push({
        suite: mode.suite,
        id,
        title,
        kind: 'ratio',
        subject: subject.label,
        baseline: baseline.label,
        subjectOps: r.subjectOps,
        baselineOps: r.baselineOps,
        ratio: r.ratio,
        rounds: r.rounds,
        goal,
        met: goalMet(goal, r.ratio.median),
        note,
      });
      return r;
    },
    /**
     * A measured value that is not a time ratio (statements per step, bytes per 10,000 pending
     * steps, sign-ins per second), optionally with a baseline value measured in the same run.
     */
    record({ id, title, value, unit, baselineValue, baseline, goal, note }) {
      const ratio =
        baselineValue !== undefined && baselineValue !== 0 ? value / baselineValue : undefined;
      rows.push({
        suite: mode.suite,
        id,
        title,
        kind: 'value',
        value,
        unit,
        baseline,
        baselineValue,
        ratio: ratio === undefined ? undefined : { median: ratio, min: ratio, max: ratio },
        goal,
        met: goalMet(goal, goal?.of === 'ratio' ? ratio : value),
        note,
      });
    },
    /** A row that could not be measured on this machine, and why (a missing server, say). */
    skip({ id, title, reason }) {
      rows.push({ suite: mode.suite, id, title, kind: 'skipped', reason });
    },
  };
}
