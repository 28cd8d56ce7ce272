/**
 * TOTP codes from an implementation independent of the provider under test: Debian's OATH
 * Toolkit (`oathtool`), at a given time, so tests can move the portal's clock instead of waiting.
 */
import { execFileSync } from 'node:child_process';

export function oathtoolCode(base32Key: string, atMs: number = Date.now()): string {
  const at = `@${Math.floor(atMs / 1000)}`;
  return execFileSync('oathtool', ['--totp', '-b', '-N', at, base32Key.replace(/\s+/g, '')], {
    encoding: 'utf8',
  }).trim();
}
