/**
 * The deployment config the admin area edits: the document stored in the database (no
 * encryption keys, no emulator connection details), and the effective config built from it for
 * the running service. Real Duo or YubiCloud credentials in the document switch to the real
 * services; absent, the in-process stand-ins fill in their connection fields.
 */
import type { DemoServices } from './emulators.js';

export type RawConfig = Record<string, unknown>;
type Entry = { enabled?: boolean; audiences?: string[]; settings?: Record<string, unknown> };

/**
 * The first start's document: every provider on for both audiences, 2FA offered, not forced.
 * Without the stand-ins (PORTAL_NO_EMULATORS=1) Duo and YubiKey start switched off: they have no
 * credentials yet, and an enabled provider without them would stop the portal from starting.
 * The admin turns them on with real credentials in the admin area.
 */
export function defaultDocument(origin: string, prefix: string, standIns = true): RawConfig {
  const host = new URL(origin).hostname;
  return {
    providers: {
      totp: {
        enabled: true,
        audiences: ['client', 'admin'],
        settings: { issuer: 'Example Billing' },
      },
      duo: {
        enabled: standIns,
        audiences: ['client', 'admin'],
        settings: {
          version: 'universal',
          redirectUrl: `${origin}${prefix}/callback/duo`,
          // WHMCS's admin username format (Duo aliases): email:email:licensekey.
          usernameTemplate: { admin: '{email}:{email}:{licenseKey}', '*': '{email}' },
        },
      },
      webauthn: {
        enabled: true,
        audiences: ['client', 'admin'],
        settings: { rpId: host, rpName: 'Example Billing', origins: [origin] },
      },
      yubikey: { enabled: standIns, audiences: ['client', 'admin'], settings: {} },
    },
    policy: {
      audiences: {
        client: { force: false, notEnrolled: 'enroll' },
        admin: { force: false, notEnrolled: 'enroll', rememberDeviceDays: 0 },
      },
    },
  };
}

function entry(doc: RawConfig, id: string): Entry | undefined {
  const providers = doc['providers'] as Record<string, Entry> | undefined;
  return providers?.[id];
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Whether the running config talks to the in-process Duo emulator (no real credentials set). */
export function duoEmulated(doc: RawConfig): boolean {
  const s = entry(doc, 'duo')?.settings ?? {};
  return s['version'] === 'legacy'
    ? blank(s['integrationKey']) && blank(s['secretKey'])
    : blank(s['clientId']) && blank(s['clientSecret']);
}

export function yubicoEmulated(doc: RawConfig): boolean {
  const s = entry(doc, 'yubikey')?.settings ?? {};
  return blank(s['clientId']) && blank(s['apiKey']);
}

/** The document with the stand-ins' connection fields filled in where no credentials are set. */
export function effectiveDocument(
  doc: RawConfig,
  demo: DemoServices | undefined,
  encryption: unknown,
): RawConfig {
  const copy = structuredClone(doc);
  const providers = (copy['providers'] ?? {}) as Record<string, Entry>;
  const duo = providers['duo'];
  if (demo && duo && duoEmulated(doc)) {
    const s = (duo.settings ??= {});
    Object.assign(s, {
      apiHost: demo.duo.apiHost,
      allowCustomApiHost: true,
      caPem: demo.duo.caPem,
    });
    if (s['version'] === 'legacy')
      Object.assign(s, {
        integrationKey: demo.duo.authApiApp!.ikey,
        secretKey: demo.duo.authApiApp!.skey,
      });
    else
      Object.assign(s, {
        clientId: demo.duo.webSdkApp!.clientId,
        clientSecret: demo.duo.webSdkApp!.clientSecret,
      });
  }
  const yubikey = providers['yubikey'];
  if (demo && yubikey && yubicoEmulated(doc)) {
    Object.assign((yubikey.settings ??= {}), {
      clientId: demo.yubico.clientId,
      apiKey: demo.yubico.apiKey,
      apiUrls: [demo.yubico.url],
      allowInsecureHttpForTests: true,
    });
  }
  return { ...copy, encryption };
}
