/**
 * Strict mitigation for the on-call catalog's manifest faults (docs/oncall-catalog.md): the Deployment's pod
 * template, as it now stands, must no longer carry the fault. Each check asks the simulator's own models
 * (memory, probes, init containers, image pulls, config references) about the template, so a fix that only
 * looks right for a moment (a pod Ready until its next OOM kill or liveness kill) does not pass.
 */
import { admitPodCreate } from '../sim/admission/index.js';
import { cloneJson } from '../sim/api/json.js';
import type { SimCluster } from '../sim/cluster.js';
import { planInitContainer } from '../sim/controller/init-containers.js';
import { runProbe } from '../sim/controller/probes.js';
import { killedWhileStarting } from '../sim/controller/start-up.js';
import { memoryNeedBytes } from '../sim/memory.js';
import { mebibytes } from '../sim/memory.js';
import type { Container, Deployment, Pod } from '../sim/model.js';
import { parseMemory } from '../sim/model.js';
import { componentOf, configRefHook, imagePullHook } from '../sim/runtime.js';
import { R } from '../sim/faults/topology.js';

const KINDS = new Set([
  'oom_killed',
  'liveness_probe_failure',
  'slow_start_liveness',
  'readiness_probe_failure',
  'missing_config_ref',
  'bad_image_rollout',
  'init_container_failure',
  'resource_quota_exceeded',
  'limit_range_violation',
]);
/** Kinds undone only when the API server admits a pod made from the template (sim/admission, a dry run). */
const ADMISSION_KINDS = new Set(['resource_quota_exceeded', 'limit_range_violation']);

/** A pod as the template would make it (enough for the models: labels, namespace, containers). */
function podOf(d: Deployment, namespace: string): Pod {
  const template = cloneJson(d.spec.template as never) as unknown as Deployment['spec']['template'];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${d.metadata.name}-template`,
      namespace,
      uid: 'template',
      labels: template.metadata.labels ?? {},
    },
    spec: template.spec,
    status: { phase: 'Running', podIP: '10.244.0.250' },
  } as unknown as Pod;
}

function containerProblems(cluster: SimCluster, pod: Pod, c: Container): string[] {
  const out: string[] = [];
  const world = cluster.world;
  const ctx = { pod, container: c, world, restartCount: 0 };
  const pull = imagePullHook(ctx);
  if (pull) out.push(`container ${c.name} image ${c.image} cannot be pulled`);
  const config = configRefHook(ctx);
  if (config?.outcome === 'config') out.push(`container ${c.name}: ${config.message}`);
  const found = componentOf(world, pod);
  const limit = parseMemory(c.resources?.limits?.['memory']);
  if (found && c.name === found.component.containerName && limit > 0) {
    const need = memoryNeedBytes(found.component);
    if (limit < need)
      out.push(
        `container ${c.name} memory limit ${c.resources?.limits?.['memory']} is below its working set ~${mebibytes(need)}`,
      );
  }
  for (const [kind, probe] of [
    ['liveness', c.livenessProbe],
    ['readiness', c.readinessProbe],
  ] as const) {
    if (!probe) continue;
    const result = runProbe(world, pod, c, probe);
    if (!result.ok) out.push(`container ${c.name} ${kind} probe still fails: ${result.output}`);
  }
  const early = killedWhileStarting(world, pod, c);
  if (early) out.push(early);
  return out;
}

/** What is still wrong with the target's template; empty when the fault is undone (or not one of these kinds). */
export function manifestFaultLeft(
  cluster: SimCluster,
  namespace: string,
  kind: string,
  target: string,
): string[] {
  if (!KINDS.has(kind)) return [];
  const json = cluster.store.peek(R.deployments, namespace, target);
  if (!json) return [`deployment ${target} is gone`];
  const pod = podOf(json as unknown as Deployment, namespace);
  const out = pod.spec.containers.flatMap((c) => containerProblems(cluster, pod, c));
  if (ADMISSION_KINDS.has(kind)) {
    const refused = admitPodCreate(cluster.store, namespace, cloneJson(pod as never), true);
    if (refused) out.push(`a pod from ${target}'s template is still refused: ${refused.message}`);
  }
  for (const init of pod.spec.initContainers ?? []) {
    const plan = planInitContainer(cluster.world, pod, init);
    if (plan.exitCode !== 0) out.push(`init container ${init.name} still exits ${plan.exitCode}`);
  }
  return out;
}
