/**
 * The bound a policy rule puts on `setProbe`'s timing: the start a probe grants (initialDelaySeconds +
 * failureThreshold × periodSeconds) and its timeoutSeconds, each at most `maxProbeStartSeconds`. A probe
 * slowed without bound would let a hung container live for ever, so a rule that allows setProbe without the
 * limit allows no timing change (a port or path change needs none). The grant is decided from the action
 * alone: a change to any of initialDelaySeconds, periodSeconds and failureThreshold must give all three.
 */
import type { ActionProposal } from '../core/actions.js';
import type { PolicyLimits } from '../core/policy.js';

export function brokenProbeBound(
  limits: PolicyLimits,
  action: Extract<ActionProposal, { kind: 'setProbe' }>,
): string | undefined {
  const { initialDelaySeconds: delay, periodSeconds: period, failureThreshold: threshold } = action;
  const grant = [delay, period, threshold];
  if (grant.every((v) => v === undefined) && action.timeoutSeconds === undefined) return undefined;
  const max = limits.maxProbeStartSeconds;
  if (max === undefined)
    return 'setProbe timing changes are allowed only with limits.maxProbeStartSeconds in the rule';
  if (action.timeoutSeconds !== undefined && action.timeoutSeconds > max)
    return `timeoutSeconds ${action.timeoutSeconds} is above maxProbeStartSeconds ${max}`;
  if (grant.every((v) => v === undefined)) return undefined;
  if (delay === undefined || period === undefined || threshold === undefined)
    return 'a timing change gives initialDelaySeconds, periodSeconds and failureThreshold together (maxProbeStartSeconds bounds their sum)';
  const seconds = delay + threshold * period;
  return seconds > max
    ? `the probe grants ${seconds}s to start (${delay} + ${threshold} × ${period}), above maxProbeStartSeconds ${max}`
    : undefined;
}
