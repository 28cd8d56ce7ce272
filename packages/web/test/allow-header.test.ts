/** A 405 names the methods its path really takes, not a fixed list. */
import { describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';

describe('405 Allow header', () => {
  it('names only the methods of the matched path', async () => {
    const rig = await directRig();
    const c = rig.client();
    const getOnly = await c.post('/2fa/requirement', {});
    expect(getOnly.status).toBe(405);
    expect(getOnly.headers.get('allow')).toBe('GET');
    const postOnly = await c.get('/2fa/challenge');
    expect(postOnly.status).toBe(405);
    expect(postOnly.headers.get('allow')).toBe('POST');
    const health = await c.post('/2fa/health', {});
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET');
    await rig.close();
  });
});
