/**
 * `enforce dry-run --users FILE`: core's `dryRunEnforcement` over the users of a file, with the
 * policy change to preview given as `--force AUDIENCE` and/or a next deployment config. The
 * report is core's, unchanged: per audience, how many users would be challenged, made to enroll,
 * let in under grace, let through or refused. Nothing is written and no grace clock starts.
 */
import { readFileSync } from 'node:fs';
import type { AudiencePolicy, PolicyOverride, TwoFactorService } from '@factorkit/core';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';
import type { Progress } from '../progress.js';
import {
  formatOf,
  parseUsersFile,
  type BadRow,
  type FileUser,
  type UsersFormat,
} from '../enforce/users-file.js';

export interface DryRunOptions {
  users: string;
  format?: UsersFormat;
  /** Audiences to preview with `force: true`. */
  force: string[];
  /** A deployment config file whose audience policies are the change to preview. */
  nextConfig?: string;
  skipBad?: boolean;
}

/** The audience policy fields a dry-run can override (core's `PolicyOverride`). */
const OVERRIDABLE = [
  'force',
  'notEnrolled',
  'providers',
  'graceDays',
  'requirePhishingResistant',
  'requireHardwareBound',
  'minAal',
  'allowRecoveryCodes',
] as const satisfies readonly (keyof PolicyOverride)[];

function overrideOf(policy: AudiencePolicy): PolicyOverride {
  const o: Record<string, unknown> = {};
  for (const k of OVERRIDABLE) if (policy[k] !== undefined) o[k] = policy[k];
  return o;
}

/**
 * The overrides: a next config's audiences (validated by core exactly as `config check` does;
 * invalid is exit 1), then `--force` on top.
 */
function overrides(m: LoadedModule, o: DryRunOptions, audiences: readonly string[]) {
  const result: Record<string, PolicyOverride> = {};
  if (o.nextConfig !== undefined) {
    const next = loadDeployment(m, EXIT.checkFailed, o.nextConfig).policy.audiences;
    for (const [name, policy] of Object.entries(next))
      if (audiences.includes(name)) result[name] = overrideOf(policy);
  }
  for (const name of o.force) {
    if (!audiences.includes(name))
      throw new CliError(
        'UNKNOWN_AUDIENCE',
        `--force "${name}" is not in policy.audiences (${audiences.join(', ')})`,
        EXIT.usage,
      );
    result[name] = { ...result[name], force: true };
  }
  return result;
}

function readUsers(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError('USERS_FILE_UNREADABLE', `cannot read ${file} (${code})`, EXIT.usage);
  }
}

function badRowsError(bad: readonly BadRow[]): CliError {
  return new CliError(
    'USERS_FILE_INVALID',
    `${bad.length} row(s) of the users file are invalid; no report (fix them, or --skip-bad)`,
    EXIT.refused,
    bad.map((b) => ({ path: `line ${b.line}`, message: b.reason })),
  );
}

async function* counted(users: readonly FileUser[], bar: Progress) {
  for (const u of users) {
    yield u;
    bar.increment();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function enforceDryRun(
  m: LoadedModule,
  s: TwoFactorService,
  o: DryRunOptions,
  startProgress: (total: number) => Progress,
) {
  const audiences = Object.keys(loadDeployment(m).policy.audiences);
  const policyChange = overrides(m, o, audiences);
  const parsed = parseUsersFile(readUsers(o.users), formatOf(o.users, o.format), audiences);
  if (parsed.bad.length > 0 && !o.skipBad) throw badRowsError(parsed.bad);
  const bar = startProgress(parsed.users.length);
  let report;
  try {
    report = await s.dryRunEnforcement(counted(parsed.users, bar), policyChange);
  } finally {
    bar.stop();
  }
  const rows = Object.entries(report).map(([name, r]) =>
    [
      `${name}: ${r.users} user(s), ${r.enrolled} enrolled`,
      `challenge ${r.challenge}, enroll ${r.enroll}, grace ${r.grace}, skip ${r.skip}, deny ${r.deny}`,
      ...(r.graceDeadlines
        ? [`grace ends ${iso(r.graceDeadlines.earliest)} to ${iso(r.graceDeadlines.latest)}`]
        : []),
    ].join('; '),
  );
  const totals = Object.values(report).reduce(
    (t, r) => ({ enroll: t.enroll + r.enroll, deny: t.deny + r.deny }),
    { enroll: 0, deny: 0 },
  );
  const bad = parsed.bad.map((b) => `  line ${b.line}: ${b.reason}`);
  return {
    result: {
      users: parsed.users.length,
      overrides: policyChange,
      report,
      refused: parsed.bad,
    },
    text: [
      ...rows,
      ...(bad.length > 0 ? [`${bad.length} row(s) skipped:`, ...bad] : []),
      `${parsed.users.length} user(s) checked: ${totals.enroll} would have to enroll, ${totals.deny} would be refused (nothing was changed)`,
    ].join('\n'),
  };
}
