import { Secret } from 'otpauth';
import { generateCode, hotpCode } from './otp.js';
import type { TotpAlgorithm } from './settings.js';

// RFC 6238 Appendix B at T = 1 (t = 59 s), with the per-algorithm seeds of Errata 2866. The full
// table is in the package's test data; these three are enough to catch a broken HMAC at run time.
const SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};
const EXPECTED: Record<TotpAlgorithm, string> = {
  SHA1: '94287082',
  SHA256: '46119246',
  SHA512: '90693936',
};

/** Returns the algorithms whose RFC 6238 vector does not reproduce (CF-04). */
export function selfTest(algorithms: readonly TotpAlgorithm[]): TotpAlgorithm[] {
  return algorithms.filter((algorithm) => {
    try {
      const secret = Secret.fromLatin1(SEEDS[algorithm]);
      // Both the generator (otpauth) and the verify loop's own HMAC (node:crypto) must agree.
      return (
        generateCode(secret, { algorithm, digits: 8 }, 1) !== EXPECTED[algorithm] ||
        hotpCode(secret.bytes, algorithm, 8, 1) !== EXPECTED[algorithm]
      );
    } catch {
      return true;
    }
  });
}
