import Bowser from 'bowser';
import { printable } from './request-info.js';

/** Longest label kept: enough for "Microsoft Edge on Windows", short in a list and an event. */
const MAX_LABEL = 64;

/**
 * A short description of a device from its user agent ("Firefox on Linux"), for the user's list
 * of remembered devices. Bowser (MIT, no dependencies) reads the user agent; the input is already
 * cut to 256 printable characters by `sanitizeRequest`, and the result is cut again and kept
 * printable, since the text comes from the client. Null when nothing useful can be said.
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
  return printable(text, MAX_LABEL) ?? null;
}
