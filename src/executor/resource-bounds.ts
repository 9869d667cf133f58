/**
 * The bounds a policy rule puts on `setResources`: each new limit or request within `maxResourceFactor` of
 * the current one (up or down), none above the `maxMemory` / `maxCpu` ceiling. A rule that allows the
 * action without a factor does not bound it, so the action is refused: resources are never changed unbounded.
 * A current value that is unknown or unset cannot be compared, so it fails closed too.
 */
import type { ActionProposal } from '../core/actions.js';
import type { PolicyLimits } from '../core/policy.js';
import { parseQuantity } from '../core/quantity.js';

export type CurrentResources = { limits?: Record<string, string>; requests?: Record<string, string> };

export function brokenResourceBound(
  limits: PolicyLimits,
  action: Extract<ActionProposal, { kind: 'setResources' }>,
  current: CurrentResources | undefined,
): string | undefined {
  const factor = limits.maxResourceFactor;
  if (factor === undefined) return 'setResources is allowed only with limits.maxResourceFactor in the rule';
  const ceilings: Record<string, string | undefined> = { memory: limits.maxMemory, cpu: limits.maxCpu };
  for (const section of ['limits', 'requests'] as const) {
    for (const [resource, value] of Object.entries(action[section] ?? {})) {
      if (value === undefined) continue;
      const wanted = parseQuantity(value);
      if (wanted === undefined) return `${section}.${resource} ${value} is not a quantity`;
      const ceiling = ceilings[resource];
      if (ceiling !== undefined && wanted > (parseQuantity(ceiling) ?? 0))
        return `${section}.${resource} ${value} is above the ceiling ${ceiling}`;
      const now = current?.[section]?.[resource];
      if (now === undefined)
        return `current ${section}.${resource} unknown or unset (maxResourceFactor ${factor} needs it)`;
      const base = parseQuantity(now);
      if (base === undefined || base <= 0) return `current ${section}.${resource} ${now} cannot be compared`;
      if (wanted > base * factor || wanted < base / factor)
        return `${section}.${resource} ${now} → ${value} changes it by more than ×${factor} (maxResourceFactor)`;
    }
  }
  return undefined;
}
