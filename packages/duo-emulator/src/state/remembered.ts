/**
 * Remembered devices (Duo's "Remembered devices" policy for an Auth API application). When the
 * application's policy enables it, a successful authentication returns a `trusted_device_token`;
 * presenting it to `preauth` within the policy's lifetime lets the same user of the same
 * application in without a second factor. Tokens are opaque, random and bound to user and
 * application.
 */
import { opaqueToken } from './random.js';

interface Remembered {
  userId: string;
  ikey: string;
  expiresAtMs: number;
}

export class RememberedDevices {
  private readonly tokens = new Map<string, Remembered>();

  constructor(private readonly nowMs: () => number) {}

  issue(userId: string, ikey: string, ttlSec: number): string {
    this.prune();
    const token = opaqueToken(32);
    this.tokens.set(token, { userId, ikey, expiresAtMs: this.nowMs() + ttlSec * 1000 });
    return token;
  }

  /** True when `token` was issued to this user by this application and has not expired. */
  isValid(token: string, userId: string, ikey: string): boolean {
    const r = this.tokens.get(token);
    return (
      r !== undefined && r.userId === userId && r.ikey === ikey && r.expiresAtMs >= this.nowMs()
    );
  }

  /** Forgets every token of a user (e.g. after an admin reset). */
  forgetUser(userId: string): void {
    for (const [k, v] of this.tokens) if (v.userId === userId) this.tokens.delete(k);
  }

  private prune(): void {
    const now = this.nowMs();
    for (const [k, v] of this.tokens) if (v.expiresAtMs < now) this.tokens.delete(k);
  }
}
