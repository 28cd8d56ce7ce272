/**
 * What the page says about the in-process stand-ins (the offline YubiCloud's note on the YubiKey
 * part, and the "Demo services" links to the Duo emulator's pending-pushes page), so a person
 * always knows when the demo answers instead of Duo or YubiCloud.
 */
import { e } from '../../http/html.js';
import type { Portal } from '../../portal.js';
import { yubicoEmulated, type RawConfig } from '../../twofactor/deployment.js';

/** The YubiKey part's note while the offline YubiCloud answers, and its field notes. */
export function yubikeyIntro(doc: RawConfig, portal: Portal): string {
  if (!portal.demo || !yubicoEmulated(doc)) return '';
  return `<p class="demo">The offline YubiCloud is in use: no Client ID and API key are set, so this portal's offline validation server checks YubiKey OTPs (its address and key are filled in at run time and not shown here). Enter a YubiCloud Client ID and API key to use YubiCloud.</p>`;
}

export function yubikeyNotes(doc: RawConfig, portal: Portal): Record<string, string> | undefined {
  if (!portal.demo || !yubicoEmulated(doc)) return undefined;
  const note = 'While no credentials are set, the offline YubiCloud supplies this.';
  return { apiUrls: note, allowInsecureHttpForTests: note };
}

/** Links for people trying the demo: the emulator's pending pushes page (an admin-only page). */
export function demoServices(portal: Portal): string {
  if (!portal.demo) return '';
  const duo = portal.demo.duo;
  const pushes = `${duo.baseUrl}/_emulator/pushes?token=${encodeURIComponent(duo.adminToken)}`;
  return (
    `<section aria-labelledby="h-demo"><h2 id="h-demo">Demo services</h2>` +
    `<p>The offline stand-ins running inside this portal. The Duo emulator uses its own certificate authority, so the browser warns before opening it.</p>` +
    `<ul><li><a id="duo-pushes" href="${e(pushes)}">Duo emulator: pending pushes (approve or deny a push as the phone would)</a></li>` +
    `<li>Offline YubiCloud: ${e(portal.demo.yubico.url)}</li></ul></section>`
  );
}
