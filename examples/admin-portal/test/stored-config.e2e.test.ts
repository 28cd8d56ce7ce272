/**
 * A deployment document stored around the admin area's checks (by hand, or by another build of
 * the portal) that does not load: the running setup is kept and the log says why, rather than
 * every page failing (the admin area's own saves are checked before they are stored).
 */
import { describe, expect, it } from 'vitest';
import { editDeployment } from './support/deployment.js';
import { startPortalProcess } from './support/portal-process.js';

describe('a stored deployment document that does not load', () => {
  it('keeps the running setup: the sign-in and the 2FA routes still answer, the log names the problem', async () => {
    const portal = await startPortalProcess();
    try {
      await editDeployment(portal, (doc) => {
        // Legacy Duo with the Universal Prompt's redirect URL left in: refused by the loader.
        doc.providers['duo']!.settings!['version'] = 'legacy';
      });
      const login = await fetch(`${portal.url}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('<h1>Sign in</h1>');
      expect((await fetch(`${portal.url}/2fa/health`)).status).toBe(200);
      await fetch(`${portal.url}/login`);
      const log = portal.output();
      expect(log).toContain('deployment config version 2 (kept version 1)');
      expect(log).toContain('providers.duo.settings.redirectUrl');
      // Said once, not at every request.
      expect(log.split('kept version 1').length - 1).toBe(1);
    } finally {
      await portal.stop();
    }
  }, 90_000);
});
