// A Duo enrollment names the user's one remote Duo account: the provider does not declare
// `multipleEnrollments`, so a deployment cannot give a user two (SECURITY.md EN-07).
import { ProviderRegistry, loadDeploymentConfig, type ConfigIssue } from '@factorkit/core';
import { describe, expect, it } from 'vitest';
import { DuoProvider } from '../src/index.js';

const universal = {
  apiHost: 'api-1a2b3c4d.duosecurity.com',
  clientId: 'DIAAAAAAAAAAAAAAAAAA',
  clientSecret: 'S3cr3t-' + 'q'.repeat(33),
  redirectUrl: 'https://portal.example.com/2fa/duo/callback',
};

function load(entry: Record<string, unknown>) {
  const registry = new ProviderRegistry().register(
    new DuoProvider(null as never, null as never, null as never),
  );
  return loadDeploymentConfig(
    {
      providers: { duo: { enabled: true, settings: universal, ...entry } },
      encryption: {
        activeKeyId: 'k',
        keys: {
          k: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64'),
        },
      },
    },
    registry,
  );
}

function issuesOf(entry: Record<string, unknown>): ConfigIssue[] {
  try {
    load(entry);
  } catch (err) {
    return [...((err as { issues?: ConfigIssue[] }).issues ?? [])];
  }
  return [];
}

describe('Duo maxEnrollments', () => {
  it('EN-07: Duo declares one enrollment per user; maxEnrollments defaults to 1', () => {
    const duo = new DuoProvider(null as never, null as never, null as never);
    expect(duo.capabilities.multipleEnrollments).toBe(false);
    expect(load({}).providers['duo']?.maxEnrollments).toBe(1);
    expect(load({ maxEnrollments: 1 }).providers['duo']?.maxEnrollments).toBe(1);
  });

  it('EN-07: maxEnrollments 2 for Duo is a config error at its path', () => {
    const issues = issuesOf({ maxEnrollments: 2 });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('providers.duo.maxEnrollments');
    expect(issues[0]?.message).toMatch(/one enrollment per user/);
  });
});
