/**
 * TOTP codes from an implementation independent of the provider under test: Debian's OATH
 * Toolkit (`oathtool`), at a given time, so tests can move the portal's clock instead of waiting.
 */
import { execFileSync } from 'node:child_process';

const STEP_MS = 30_000;

export function oathtoolCode(base32Key: string, atMs: number = Date.now()): string {
  const at = `@${Math.floor(atMs / 1000)}`;
  return execFileSync('oathtool', ['--totp', '-b', '-N', at, base32Key.replace(/\s+/g, '')], {
    encoding: 'utf8',
  }).trim();
}

export function currentStep(now = Date.now()): number {
  return Math.floor(now / STEP_MS);
}

/** The code of the time step `step` (default: now) for the Base32 key shown on the page. */
export function totpCode(key: string, step = currentStep()): string {
  return oathtoolCode(key, step * STEP_MS);
}

/**
 * The code of the first time step after `used`: a code is accepted once only (its step must be
 * newer than the last one accepted), and codes from the future are not accepted at all.
 */
export async function codeAfter(
  key: string,
  used: number,
): Promise<{ code: string; step: number }> {
  while (currentStep() <= used) await new Promise((resolve) => setTimeout(resolve, 500));
  const step = currentStep();
  return { code: totpCode(key, step), step };
}
