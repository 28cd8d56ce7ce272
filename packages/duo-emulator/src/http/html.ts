/**
 * Minimal HTML escaping for the emulator's own pages. Every value rendered into a page goes
 * through `escapeHtml` (text and double-quoted attributes). Hand-written because the five-entity
 * escape is the whole job and the package has no template engine to bring one.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ccc;border-radius:8px;padding:1.5rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}
.note{color:#666;font-size:.85rem}</style></head>
<body><div class="card">${body}</div>
<p class="note">factorkit duo-emulator: an offline stand-in for Duo, for development and tests only.</p></body></html>`;
}
