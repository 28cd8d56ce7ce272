import { declaredAssurance, meetsAssurance } from '../provider/assurance.js';
import type { ProviderRegistry } from '../provider/registry.js';
import type { ConfigIssue } from '../errors.js';
import type { AudiencePolicy } from './policy-classes.js';
import type { ProviderDeployment } from './provider-entries.js';

/**
 * An audience that asks for an assurance none of its providers declares would refuse every
 * sign-in of its enrolled users and offer nothing to enroll: a configuration error, reported
 * with the providers it has, before the deployment goes live.
 */
export function checkAssuranceReachable(
  audiences: Readonly<Record<string, AudiencePolicy>>,
  providers: Readonly<Record<string, ProviderDeployment>>,
  registry: ProviderRegistry,
  issues: ConfigIssue[],
): void {
  for (const [name, audience] of Object.entries(audiences)) {
    const offered = Object.entries(providers)
      .filter(
        ([id, p]) =>
          p.enabled &&
          p.audiences.includes(name) &&
          registry.has(id) &&
          (!audience.providers || audience.providers.includes(id)),
      )
      .map(([id]) => id);
    if (offered.length === 0) continue;
    const qualifying = offered.filter((id) =>
      meetsAssurance(declaredAssurance(registry.get(id).capabilities), audience),
    );
    if (qualifying.length > 0) continue;
    const asked = [
      audience.requirePhishingResistant ? 'a phishing-resistant factor' : null,
      audience.requireHardwareBound ? 'a hardware-bound factor' : null,
      audience.minAal > 1 ? `AAL${audience.minAal}` : null,
    ].filter((x) => x !== null);
    issues.push({
      path: `policy.audiences.${name}`,
      message: `requires ${asked.join(' and ')}, but none of its providers (${offered.join(', ')}) declares it: enable one that does (a security key provider) or lower the requirement`,
    });
  }
}
