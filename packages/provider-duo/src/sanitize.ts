/**
 * Text that came from Duo (status messages, error descriptions, callback `error_description`) is
 * untrusted: it may carry terminal escape sequences, HTML or megabytes (DA-04, DU-07,
 * ASVS 16.4.1). Before it reaches a log field or an error detail it is reduced to printable text:
 * escape sequences (CSI/OSC) removed, other control characters dropped, HTML metacharacters
 * encoded, and the length capped.
 */
const ESCAPE_SEQUENCES =
  // OSC ... BEL/ST, then CSI ... final byte, then any other ESC + one char.
  // eslint-disable-next-line no-control-regex
  /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function safeText(value: unknown, max = 200): string {
  if (typeof value !== 'string') return '';
  const cut = value.length > max * 4 ? value.slice(0, max * 4) : value;
  const plain = cut.replace(ESCAPE_SEQUENCES, '').replace(CONTROL, ' ');
  const encoded = plain.replace(/[&<>"']/g, (c) => HTML[c]!);
  return encoded.length > max ? encoded.slice(0, max) + '…' : encoded;
}
