import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, ProviderRegistry, loadDeploymentConfig } from '../src/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';

const KEY = createHash('sha256').update('factorkit grace config key').digest('base64');

function load(client: Record<string, unknown>) {
  return loadDeploymentConfig(
    {
      providers: {
        'clock-code': {
          enabled: true,
          audiences: ['client'],
          settings: { digits: 6, apiSecret: 'G'.repeat(40) },
        },
      },
      policy: { audiences: { client } },
      encryption: { activeKeyId: 'k1', keys: { k1: KEY } },
    },
    new ProviderRegistry().register(ClockCodeProvider),
  );
}

function issueAt(path: string, client: Record<string, unknown>): string | undefined {
  try {
    load(client);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).issues.find((i) => i.path === path)?.message;
  }
  return undefined;
}

describe('graceDays config', () => {
  it("accepts notEnrolled: 'grace' and defaults graceDays to 14", () => {
    const cfg = load({ force: true, notEnrolled: 'grace' });
    expect(cfg.policy.audiences['client']).toMatchObject({ notEnrolled: 'grace', graceDays: 14 });
    expect(
      load({ force: true, notEnrolled: 'grace', graceDays: 90 }).policy.audiences['client'],
    ).toMatchObject({ graceDays: 90 });
  });

  it.each([0, 91, 1.5, '7', -3])('rejects graceDays %j', (graceDays) => {
    expect(
      issueAt('policy.audiences.client.graceDays', {
        force: true,
        notEnrolled: 'grace',
        graceDays,
      }),
    ).toBeDefined();
  });

  it('rejects an unknown notEnrolled action, naming grace among the allowed', () => {
    expect(issueAt('policy.audiences.client.notEnrolled', { notEnrolled: 'later' })).toMatch(
      /grace/,
    );
  });
});
