import Bowser from 'bowser';
import { cleanLabel } from '../flows/enrollment-labels.js';

/**
 * A short description of a device from its user agent ("Firefox on Linux"), for the user's list
 * of remembered devices. Bowser (MIT, no dependencies) reads the user agent; the input is already
 * cut to 256 printable characters by `sanitizeRequest`, and the result is held to the rules of a
 * factor's name (no control, format or bidi characters; 64 at most), since the client wrote it. Null when nothing useful can be said.
 */
export function deviceLabel(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  let browser: string | undefined;
  let os: string | undefined;
  try {
    const parsed = Bowser.parse(userAgent);
    browser = parsed.browser.name;
    os = parsed.os.name;
  } catch {
    // An unparseable user agent only loses its label.
  }
  const text = browser && os ? `${browser} on ${os}` : (browser ?? os);
  return cleanLabel(text);
}
