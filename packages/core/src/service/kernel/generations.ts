import { PendingStateError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentStore, PendingKind, PendingStore } from '../../store/types.js';

/**
 * Per-user generations (SECURITY.md EN-05): a reset or a removal raises the user's generation in
 * its own transaction, before it deletes the user's pending steps. A step remembers the
 * generation it began with; a step that saw it move ends, whatever it was doing.
 */
export class Generations {
  constructor(
    private readonly enrollments: EnrollmentStore,
    private readonly pending: PendingStore,
  ) {}

  current(userId: string): Promise<number> {
    return this.enrollments.generation(userId);
  }

  /**
   * The generation a taken step stands for. A step sealed before steps carried one (a rolling
   * upgrade) takes the generation read now: a reset before the take already deleted the step, so
   * only a reset after this read can matter, and that one is seen.
   */
  async of(sealed: number | undefined, userId: string): Promise<number> {
    return sealed ?? (await this.current(userId));
  }

  /**
   * Throws CHALLENGE_NOT_FOUND when the user's generation moved since `began`. `read` is the
   * generation when the store already read it after the point that matters (along with the
   * commit); otherwise it is read now.
   */
  async expect(user: TwoFactorUser, began: number, read?: number): Promise<void> {
    const current = read ?? (await this.current(user.id));
    if (current !== began) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  }

  /**
   * After a step was put back: if a reset ran meanwhile, take it back and end. The reset raised
   * the generation before deleting, so either this read sees the change, or the reset's delete
   * came after the restore and removed the step: never neither.
   */
  async endIfReset(user: TwoFactorUser, id: string, kind: PendingKind, began: number) {
    if ((await this.current(user.id)) === began) return;
    await this.pending.take(id, user.id, kind);
    throw new PendingStateError('CHALLENGE_NOT_FOUND');
  }
}
