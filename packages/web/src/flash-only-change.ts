import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { PageFlash } from './pages/options.js';
import { withoutRevision, type SecondStepState } from './second-step-store.js';

/**
 * A page view clears the one-shot flash message, and a refused form post sets one: writes that
 * change nothing a request acts on. `ReadDigests` lets a compare-and-set that lost only to such a
 * write be retried; FL-15 still refuses one that lost to any other change.
 *
 * A save names only the revision it was read at, so each read is remembered by session and
 * revision as a digest of everything but the flash, and the flash itself (a code, no secret): no
 * state, CSRF secret or prompt is kept. A read not remembered (evicted, or read by another
 * process) is never retried.
 */

interface RememberedRead {
  readonly body: string;
  readonly flash: PageFlash | undefined;
}

/** How many reads are remembered; the oldest go first. */
const REMEMBERED_READS = 4096;

/** JSON with sorted keys: two states equal as stored give the same text whatever the key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** SHA-256 of the state as stored, without its revision and its flash message. */
function digestWithoutFlash(state: SecondStepState): string {
  const { page, ...rest } = withoutRevision(state);
  const { flash: _flash, ...otherPage } = page ?? {};
  const plain = Object.keys(otherPage).length === 0 ? rest : { ...rest, page: otherPage };
  return createHash('sha256').update(canonical(plain)).digest('base64');
}

export class ReadDigests {
  private readonly reads = new Map<string, RememberedRead>();

  remember(sessionId: string, state: SecondStepState): void {
    if (state.revision === undefined) return;
    const key = `${sessionId}\u0000${state.revision}`;
    this.reads.delete(key);
    this.reads.set(key, { body: digestWithoutFlash(state), flash: state.page?.flash });
    if (this.reads.size > REMEMBERED_READS)
      this.reads.delete(this.reads.keys().next().value as string);
  }

  /**
   * `next` as it may be retried over `now`, or undefined when `now` differs from the read at
   * revision `expected` in more than the flash message (or that read is not remembered). When
   * this request left the flash as it read it, the flash is `now`'s (the other request's clear or
   * message stands); a flash this request set itself is kept.
   */
  retryable(
    sessionId: string,
    expected: number,
    next: SecondStepState | null,
    now: SecondStepState,
  ): { readonly next: SecondStepState | null } | undefined {
    const read = this.reads.get(`${sessionId}\u0000${expected}`);
    if (read === undefined || read.body !== digestWithoutFlash(now)) return undefined;
    if (next === null || !isDeepStrictEqual(next.page?.flash, read.flash)) return { next };
    const { flash: _ours, ...page } = next.page ?? {};
    const flash = now.page?.flash;
    const merged = flash === undefined ? page : { ...page, flash };
    if (Object.keys(merged).length > 0) return { next: { ...next, page: merged } };
    const { page: _page, ...rest } = next;
    return { next: rest as SecondStepState };
  }
}
