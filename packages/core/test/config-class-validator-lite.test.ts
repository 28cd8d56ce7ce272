// Core loads class-validator by the parts it uses (src/config/class-validator-lite.ts) so a host's
// cold start does not pay for all of it. These tests prove that nothing about validation changes:
// every decorator `v` hands out is the package's own export (and class-transformer's engine too), `validateSync` and the metadata
// storage are the package's, every other name still works, and config is still validated.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as full from 'class-validator';
import { describe, expect, it } from 'vitest';
import { LIGHT, getMetadataStorage, v, validateSync } from '../src/config/class-validator-lite.js';

describe('class-validator by its parts', () => {
  it('every decorator in LIGHT is the package index’s own export', () => {
    for (const name of Object.keys(LIGHT)) {
      expect(v[name as keyof typeof v], name).toBe(full[name as keyof typeof full]);
    }
  });

  it('any other name falls back to the full package, as `import * as v` would give it', () => {
    expect(v.IsEmail).toBe(full.IsEmail);
    expect(v.ValidationTypes).toBe(full.ValidationTypes);
    expect('IsUUID' in v).toBe(true);
    expect(Object.keys(v)).toEqual(Object.keys(full));
  });

  it('the metadata storage is the one global storage, and validateSync validates as the package does', () => {
    expect(getMetadataStorage()).toBe(full.getMetadataStorage());
    class Sample {
      @v.IsInt()
      @v.Min(1)
      n: unknown = 0;

      @v.IsOptional()
      @v.Matches(/^[a-z]+$/)
      s?: unknown = 'ABC';
    }
    const mine = validateSync(new Sample(), { forbidUnknownValues: true });
    const theirs = full.validateSync(new Sample(), { forbidUnknownValues: true });
    expect(mine).toEqual(theirs);
    expect(mine.map((e) => e.property).sort()).toEqual(['n', 's']);
  });

  it('class-transformer: the engine core loads on its own is the one its index exports', () => {
    const require = createRequire(import.meta.url);
    const root = require('class-transformer') as typeof import('class-transformer');
    const engine = require('class-transformer/cjs/ClassTransformer.js') as typeof root;
    expect(engine.ClassTransformer).toBe(root.ClassTransformer);
  });

  it('a host importing core and a provider, then loading config, does not load validator.js or libphonenumber-js', () => {
    // The settings are invalid on purpose (window 9): validation must still run and refuse it.
    const script = `
      import { createRequire } from 'node:module';
      import { randomBytes } from 'node:crypto';
      import { ProviderRegistry, loadDeploymentConfig } from '@factorkit/core';
      import { TotpProvider } from '@factorkit/provider-totp';
      const registry = new ProviderRegistry().register(TotpProvider);
      let refused = [];
      try {
        loadDeploymentConfig({
          providers: { totp: { enabled: true, audiences: ['client'], settings: { issuer: 'T', window: 9 } } },
          encryption: { activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } },
        }, registry);
      } catch (err) {
        refused = err.issues.map((i) => i.path);
      }
      const files = Object.keys(createRequire(import.meta.url).cache);
      const count = (name) => files.filter((f) => f.includes('/node_modules/' + name + '/')).length;
      console.log(JSON.stringify({ refused, validatorJs: count('validator'), libphonenumber: count('libphonenumber-js') }));
    `;
    const cwd = fileURLToPath(new URL('../../provider-totp/', import.meta.url));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd,
      encoding: 'utf8',
    });
    const loaded = JSON.parse(out) as {
      refused: string[];
      validatorJs: number;
      libphonenumber: number;
    };
    expect(loaded.refused).toEqual(['providers.totp.settings.window']);
    expect(loaded.libphonenumber).toBe(0);
    // Matches and Length each need a validator.js helper file or two, not its 113 files.
    expect(loaded.validatorJs).toBeLessThanOrEqual(5);
  });
});
