import assert from 'node:assert/strict';
import { configJsonSchema, secretFieldNames } from '../../config/fields.js';
import { PROMPT_KINDS } from '../../provider/contract.js';
import { testUser } from '../harness.js';
import type { Rig } from './rig.js';
import type { Check } from './types.js';

/** What a provider declares and returns, checked without a sign-in. */
export function contractChecks(rig: Rig): Check[] {
  const checks: Check[] = [
    {
      name: 'registers (the provider contract): id, displayName, capabilities, hooks and core version range are valid',
      async run() {
        const { h, provider } = rig.make();
        assert.match(provider.id, /^[a-z][a-z0-9-]{1,31}$/);
        assert.deepEqual(
          h.registry.list().map((d) => d.id),
          [provider.id],
        );
      },
    },
    {
      name: 'config schema (SS-05): settings validate, and the JSON Schema labels every field and marks secrets write-only',
      async run() {
        const { provider } = rig.make();
        const schema = configJsonSchema(provider.configSchema);
        assert.equal(schema['additionalProperties'], false);
        const props = schema['properties'] as Record<string, Record<string, unknown>>;
        for (const [name, prop] of Object.entries(props)) {
          assert.equal(typeof prop['title'], 'string', `field ${name} needs a label (@Field)`);
        }
        for (const name of secretFieldNames(provider.configSchema)) {
          assert.equal(props[name]?.['writeOnly'], true, `secret ${name} must be writeOnly`);
          assert.equal(
            props[name]?.['default'],
            undefined,
            `secret ${name} must not expose a default`,
          );
        }
      },
    },
    {
      name: 'activation (invariant 5): hooks return JSON-serialisable data and a known prompt kind (no HTML, no functions)',
      async run() {
        const { h, provider } = rig.make();
        const user = testUser();
        const ctx = {
          providerId: provider.id,
          config: h.config.providers[provider.id]!.settings,
          audience: user.audience,
          constants: {},
        };
        const begun = await provider.beginActivation(ctx, user);
        assert.ok(
          PROMPT_KINDS.includes(begun.prompt.kind),
          `unknown prompt kind ${String(begun.prompt.kind)}`,
        );
        assert.deepEqual(
          JSON.parse(JSON.stringify(begun.prompt)),
          begun.prompt,
          'prompt must survive JSON',
        );
        assert.deepEqual(
          JSON.parse(JSON.stringify(begun.pending ?? null)),
          begun.pending ?? null,
          'pending must survive JSON',
        );
      },
    },
  ];
  if (rig.hasHealthCheck) {
    checks.push({
      name: 'health check (OUT-02): returns { healthy: boolean }',
      async run() {
        const { h } = rig.make();
        const health = await h.service.health();
        assert.equal(typeof health[rig.providerId]?.healthy, 'boolean');
      },
    });
  }
  return checks;
}
