/**
 * A container whose memory limit is below its app's working set grows to the limit and is killed by the
 * kernel's OOM killer: the kubelet reports it terminated with reason OOMKilled and exit code 137
 * (https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-containers-memory-limit),
 * then restarts it with the crash back-off (CrashLoopBackOff). The smaller the limit, the sooner it dies.
 */
import { parseMemory } from '../model.js';
import { memoryNeedBytes } from '../memory.js';
import type { BehaviourHook } from '../runtime.js';
import { componentOf } from '../runtime.js';
import { activeFlagEffects } from './flags.js';
import { runningComponent } from './topology.js';

/** Time for a working set to fill its whole need from start (allocation at start-up and first requests). */
const FILL_MS = 30_000;

export const memoryLimitHook: BehaviourHook = ({ pod, container, world }) => {
  const limit = parseMemory(container.resources?.limits?.['memory']);
  if (limit <= 0) return undefined;
  const found = componentOf(world, pod);
  if (!found) return undefined;
  const runs = runningComponent(found.instance.app, pod, container) ?? found.component;
  if (container.name !== found.component.containerName && runs === found.component) return undefined;
  const load = activeFlagEffects(world, found.instance.namespace)
    .filter((f) => f.component === runs.name)
    .reduce((n, f) => n * (f.memory ?? 1), 1);
  const need = memoryNeedBytes(runs) * load;
  if (limit >= need) return undefined;
  return {
    outcome: 'exit',
    afterMs: Math.max(2_000, Math.round(FILL_MS * (limit / need))),
    exitCode: 137,
    reason: 'OOMKilled',
    logs: runs.startupLogs,
  };
};
