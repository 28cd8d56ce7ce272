/**
 * `users list [--no-factor] [--audience A]`: the host's users (from its `listUsers` hook) with
 * what each would get if 2FA were forced on their audience, from core's dry-run (so it writes
 * nothing and starts no grace clock). `--no-factor` keeps those who would be blocked: the users
 * to reach before forcing 2FA.
 */
import { InvalidArgumentError, type TwoFactorService, type TwoFactorUser } from '@factorkit/core';
import type { CliUserRecord, FactorkitCliConfig } from '../index.js';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';
import type { Progress } from '../progress.js';

const PAGE = 500;
const ACTIONS = ['challenge', 'enroll', 'grace', 'skip', 'deny'] as const;
type Action = (typeof ACTIONS)[number];

export interface ListedUser {
  id: string;
  audience: string;
  /** Has at least one enrollment (usable in the audience or not). */
  enrolled: boolean;
  /** The next step if the audience forced 2FA: `challenge` for a user with a usable factor. */
  ifForced: Action;
  /** With `ifForced: grace`: when the grace period ends (ISO 8601). */
  graceEndsAt?: string;
}

type Source = NonNullable<FactorkitCliConfig['listUsers']>;

function sourceOf(m: LoadedModule): Source {
  const source = m.cli.listUsers;
  if (typeof source !== 'function')
    throw new CliError(
      'USER_SOURCE_MISSING',
      'users list needs the host\'s users: add listUsers(after, limit) to factorkit.config.mjs (README, "Operating factorkit")',
      EXIT.unavailable,
    );
  return source;
}

/** A hook that throws or answers nonsense is the host's setup at fault: exit 3, one line. */
function badSource(why: string): CliError {
  return new CliError('USER_SOURCE_INVALID', `listUsers ${why}`, EXIT.unavailable);
}

function checkRecord(r: unknown): TwoFactorUser {
  const u = r as Partial<CliUserRecord> | null;
  if (typeof u !== 'object' || u === null || typeof u.id !== 'string' || u.id.length === 0)
    throw badSource('returned a user without a string id');
  if (typeof u.audience !== 'string')
    throw badSource(`returned user "${u.id.slice(0, 64)}" without a string audience`);
  return { id: u.id, audience: u.audience, username: u.username ?? u.id };
}

/** Every user of the source, page after page (keyset by the last id seen). */
async function* walk(source: Source): AsyncGenerator<TwoFactorUser> {
  let after: string | null = null;
  for (;;) {
    let page: readonly CliUserRecord[];
    try {
      page = await source(after, PAGE);
    } catch (err) {
      throw badSource(`failed: ${err instanceof Error ? err.message.split('\n')[0] : 'unknown'}`);
    }
    if (!Array.isArray(page)) throw badSource('must return an array of { id, audience }');
    if (page.length === 0) return;
    const users = page.map(checkRecord);
    const last = users[users.length - 1]!.id;
    // A hook that ignores `after` would loop for ever: stop at the first repeated page.
    if (last === after)
      throw badSource(`returned the page after "${after}" again (is after ignored?)`);
    yield* users;
    after = last;
  }
}

/** What one user would get if their audience forced 2FA. */
async function ifForced(s: TwoFactorService, user: TwoFactorUser): Promise<ListedUser> {
  let row;
  try {
    row = (await s.dryRunEnforcement([user], { [user.audience]: { force: true } }))[user.audience];
  } catch (err) {
    // Core refuses a malformed id or audience name; a store failure passes up as itself.
    if (err instanceof InvalidArgumentError)
      throw badSource(`returned user "${user.id.slice(0, 64)}" with an invalid id or audience`);
    throw err;
  }
  const action = ACTIONS.find((a) => row !== undefined && row[a] > 0) ?? 'deny';
  const listed: ListedUser = {
    id: user.id,
    audience: user.audience,
    enrolled: (row?.enrolled ?? 0) > 0,
    ifForced: action,
  };
  if (action === 'grace' && row?.graceDeadlines)
    listed.graceEndsAt = new Date(row.graceDeadlines.earliest).toISOString();
  return listed;
}

export interface ListOptions {
  audience?: string;
  /** False with `--no-factor`: only users who would be blocked. */
  factor: boolean;
}

export async function usersList(
  m: LoadedModule,
  s: TwoFactorService,
  o: ListOptions,
  startProgress: (total: number | undefined) => Progress,
) {
  const source = sourceOf(m);
  const audiences = Object.keys(loadDeployment(m).policy.audiences);
  if (o.audience !== undefined && !audiences.includes(o.audience))
    throw new CliError(
      'UNKNOWN_AUDIENCE',
      `--audience "${o.audience}" is not in policy.audiences (${audiences.join(', ')})`,
      EXIT.usage,
    );
  // The count only sizes the bar: when it fails, the bar counts without a total.
  const total = m.cli.countUsers ? await m.cli.countUsers().catch(() => undefined) : undefined;
  const bar = startProgress(total);
  const users: ListedUser[] = [];
  let walked = 0;
  try {
    for await (const user of walk(source)) {
      walked++;
      bar.increment();
      if (o.audience !== undefined && user.audience !== o.audience) continue;
      const listed = await ifForced(s, user);
      const blocked = listed.ifForced !== 'challenge' && listed.ifForced !== 'skip';
      if (o.factor || blocked) users.push(listed);
    }
  } finally {
    bar.stop();
  }
  const tally = { enroll: 0, grace: 0, deny: 0 };
  for (const u of users) if (u.ifForced in tally) tally[u.ifForced as keyof typeof tally]++;
  const scope = o.audience === undefined ? '' : ` of audience ${o.audience}`;
  const lines = users.map(
    (u) =>
      `${u.id} (${u.audience}): ${u.ifForced}${u.graceEndsAt ? ` until ${u.graceEndsAt}` : ''}${u.enrolled && u.ifForced === 'deny' ? ' (has only factors the audience does not accept)' : ''}`,
  );
  const summary = o.factor
    ? `${users.length} user(s)${scope} listed, ${walked} walked`
    : `${users.length} user(s)${scope} of ${walked} walked would be blocked by forcing 2FA: ${tally.enroll} must enroll at next sign-in, ${tally.grace} in a grace period, ${tally.deny} refused`;
  return {
    result: { audience: o.audience ?? null, noFactor: !o.factor, walked, ...tally, users },
    text: [...lines, summary].join('\n'),
  };
}
