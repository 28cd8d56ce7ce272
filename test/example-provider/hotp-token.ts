/** A simulated programmable HOTP token per user, as the conformance kit's answers need it. */
import { decodeBase32, type ActivationPrompt, type ChallengePrompt } from '@factorkit/core';
import { hotpCode } from '../../examples/hotp-provider/hotp.js';

export class TokenRack {
  private readonly tokens = new Map<string, { secret: Uint8Array; counter: number }>();

  /** Programs the user's token from a token-programming prompt. */
  program(userId: string, prompt: ActivationPrompt | ChallengePrompt): void {
    if (prompt.kind !== 'token-programming' || prompt.otpType !== 'hotp') {
      throw new TypeError(`expected a token-programming prompt for HOTP, got ${prompt.kind}`);
    }
    this.tokens.set(userId, { secret: decodeBase32(prompt.secretBase32), counter: prompt.counter });
  }

  /** One press of the button: the code for the current counter, then the counter moves on. */
  press(userId: string): string {
    const token = this.tokens.get(userId);
    if (!token) throw new TypeError(`no token programmed for ${userId}`);
    return hotpCode(token.secret, token.counter++, { algorithm: 'SHA1', digits: 6 });
  }

  /** A well-formed code that no counter near the token's (20 either side) produces. */
  wrong(userId: string): string {
    const token = this.tokens.get(userId);
    if (!token) throw new TypeError(`no token programmed for ${userId}`);
    const near = new Set<string>();
    for (let c = Math.max(0, token.counter - 20); c <= token.counter + 20; c++) {
      near.add(hotpCode(token.secret, c, { algorithm: 'SHA1', digits: 6 }));
    }
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, '0');
      if (!near.has(candidate)) return candidate;
    }
  }
}
