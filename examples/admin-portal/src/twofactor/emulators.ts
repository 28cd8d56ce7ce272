/**
 * Development stand-ins for the two outside services, started in-process when the deployment
 * config names no real credentials: factorkit's Duo emulator (HTTPS on loopback, its own CA) and
 * an offline YubiCloud. Every page that relies on them says so (see `demoNoticeFor`).
 */
import { randomBytes } from 'node:crypto';
import { startDuoEmulator, type DuoEmulator } from '@factorkit/duo-emulator';
import { OfflineYubiCloud, SoftwareYubikey } from '@factorkit/provider-yubikey/testing';

export interface DemoServices {
  readonly duo: DuoEmulator;
  readonly yubicloud: OfflineYubiCloud;
  /** The offline YubiCloud's verify URL and its API client. */
  readonly yubico: { url: string; clientId: string; apiKey: string };
  /** Software YubiKeys the demo pages "touch" to type an OTP (one per demo user email). */
  readonly yubikeys: Map<string, SoftwareYubikey>;
  stop(): Promise<void>;
}

export interface DemoUser {
  email: string;
  /** Duo aliases (the WHMCS admin format `email:email:licensekey`). */
  aliases: string[];
}

export async function startDemoServices(
  callbackUrl: string,
  users: readonly DemoUser[],
): Promise<DemoServices> {
  const duo = await startDuoEmulator({
    port: 0,
    seed: false,
    webSdkApps: [{ name: 'factorkit portal', redirectUris: [callbackUrl] }],
    authApiApps: [{ name: 'factorkit portal (Auth API)' }],
    users: users.map((u) => ({
      username: u.email,
      aliases: u.aliases,
      email: u.email,
      devices: [{ name: 'Demo phone', number: '+15555550100', push: true, sms: true, phone: true }],
    })),
  });
  const yubicloud = new OfflineYubiCloud();
  const clientId = '4711';
  const apiKey = randomBytes(20).toString('base64');
  yubicloud.addClient(clientId, apiKey);
  const yubikeys = new Map<string, SoftwareYubikey>();
  for (const u of users) {
    const key = new SoftwareYubikey();
    yubikeys.set(u.email, key);
    yubicloud.addKey({ publicId: key.publicId, privateId: key.privateId, aesKey: key.aesKey });
  }
  const url = await yubicloud.start();
  return {
    duo,
    yubicloud,
    yubico: { url, clientId, apiKey },
    yubikeys,
    async stop() {
      await yubicloud.close();
      await duo.stop();
    },
  };
}
