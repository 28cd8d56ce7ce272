// Duo Universal Prompt: factorkit's beginChallenge (memory stores: throttle check, pending step,
// the provider's health check and authorization URL) against what the SDK itself needs for the
// same redirect: `healthCheck()` + `createAuthUrl()` on one client whose TLS connection is kept
// alive. Both talk over real HTTPS (loopback) to the repository's Duo emulator, so the cost of
// a new SDK client and TLS handshake per call shows, as it would against Duo.
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { Client } from '@duosecurity/duo_universal';
import { FakeClock, createHarness } from '@factorkit/core/testing';
import { startDuoEmulator } from '@factorkit/duo-emulator';
import {
  DuoProvider,
  SDK_PRIVATE_AXIOS_FIELD,
  closeUniversalClients,
} from '@factorkit/provider-duo';

const REDIRECT_URL = 'https://portal.example.test/2fa/duo/callback';

/** One HTTPS request to the emulator, trusting only its CA; resolves status, headers, body. */
function request(url, ca, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca,
        agent: false,
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Plays the user's browser on a prompt URL (approve or enroll); returns the callback query. */
async function approvePrompt(url, ca) {
  let res = await request(url, ca);
  if (res.status === 200) {
    const action = /<form method="post" action="([^"]+)"/.exec(res.text)?.[1];
    if (!action) throw new Error('no prompt form in the emulator page');
    const choice = res.text.includes('value="enroll"') ? 'enroll' : 'approve';
    res = await request(new URL(action.replace(/&amp;/g, '&'), url), ca, {
      method: 'POST',
      body: `decision=${choice}`,
    });
  }
  if (res.status !== 302 && res.status !== 303) throw new Error(`no redirect: ${res.status}`);
  return Object.fromEntries(new URL(res.headers.location).searchParams);
}

export default {
  id: 'duo',
  async run(b) {
    const emu = await startDuoEmulator({
      users: [{ username: 'alice', devices: [{ name: 'iPhone' }] }],
      settings: { longPollMs: 150 },
    });
    try {
      const settings = {
        version: 'universal',
        apiHost: emu.apiHost,
        allowCustomApiHost: true,
        caPem: emu.caPem,
        clientId: emu.webSdkApp.clientId,
        clientSecret: emu.webSdkApp.clientSecret,
        redirectUrl: REDIRECT_URL,
      };
      const h = createHarness({
        providers: [DuoProvider],
        settings: { duo: settings },
        clock: new FakeClock(Date.now()),
      });
      const user = { id: 'bench-alice', audience: 'client', username: 'alice' };
      const started = await h.service.beginActivation(user, 'duo');
      const cb = await approvePrompt(started.prompt.url, emu.caPem);
      const done = await h.service.completeActivation(cb.state, user, cb);
      if (!done.ok) throw new Error('Duo enrollment failed: the bench is broken');

      // The SDK's own client, with one change: its pinned Duo CA bundle swapped for the
      // emulator's test CA (the SDK has no public option for it), in a keep-alive agent.
      const sdk = new Client({
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        apiHost: settings.apiHost,
        redirectUrl: REDIRECT_URL,
      });
      const sdkAgent = new https.Agent({ ca: emu.caPem, keepAlive: true });
      sdk[SDK_PRIVATE_AXIOS_FIELD] = sdk[SDK_PRIVATE_AXIOS_FIELD].create({
        httpsAgent: sdkAgent,
        timeout: 10_000,
      });

      const sdkSide = {
        label: 'SDK on one client',
        fn: async () => {
          await sdk.healthCheck();
          await sdk.createAuthUrl('alice', sdk.generateState());
        },
      };
      // The pending steps pile up in the memory store (one per call), as they would for users
      // who never come back from Duo; enough rounds to show the per-call cost, not more.
      await b.compare({
        id: 'duo.universal.begin',
        title: 'Duo Universal beginChallenge, vs SDK healthCheck + createAuthUrl (keep-alive)',
        baseline: sdkSide,
        subject: {
          label: 'beginChallenge',
          fn: () => h.service.beginChallenge(user, 'duo'),
        },
        goal: { max: 1.2 },
        ...(b.quick ? {} : { batchMs: 300 }),
      });
      // The same against the provider alone (no service around it), to tell what the provider
      // adds from what core's service step adds (throttle, pending step, audit).
      const provider = h.registry.get('duo');
      const ctx = {
        providerId: 'duo',
        config: h.config.providers['duo'].settings,
        audience: 'client',
        constants: {},
      };
      const enrollment = { username: 'alice' };
      await b.compare({
        id: 'duo.universal.provider-begin',
        title: 'DuoProvider.beginChallenge alone, vs SDK healthCheck + createAuthUrl (keep-alive)',
        baseline: sdkSide,
        subject: {
          label: 'provider.beginChallenge',
          fn: () =>
            provider.beginChallenge(
              { ...ctx, pendingId: randomBytes(32).toString('base64url') },
              user,
              enrollment,
            ),
        },
        ...(b.quick ? {} : { batchMs: 300 }),
      });
      sdkAgent.destroy();
    } finally {
      closeUniversalClients();
      await emu.stop();
    }
  },
};
