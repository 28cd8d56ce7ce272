import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a submitted value with the expected one in constant time (ASVS 11.2.4, SS-06):
 * `crypto.timingSafeEqual` always runs, on two buffers of the submitted value's length, so the
 * time taken depends only on what the caller sent, never on how much of the expected value
 * matched nor on its length. Strings are compared as their UTF-8 bytes.
 *
 * Put the submitted value first. A provider that checks several candidates (a window of codes)
 * compares every one of them and decides afterwards, rather than stopping at the first match.
 */
export function constantTimeEqual(
  submitted: string | Uint8Array,
  expected: string | Uint8Array,
): boolean {
  const a = typeof submitted === 'string' ? Buffer.from(submitted, 'utf8') : submitted;
  const b = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : expected;
  const sameLength = a.length === b.length;
  // With different lengths, compare the submitted value with itself: the same work as a real
  // comparison of that length, and the answer is false whatever it returns.
  const equal = timingSafeEqual(a, sameLength ? b : a);
  return sameLength && equal;
}
