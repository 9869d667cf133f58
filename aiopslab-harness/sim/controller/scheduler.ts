import { resourceByKind } from '../api/resources.js';
import type { NodeObject, NodeSelectorRequirement, PersistentVolumeClaim, Pod } from '../model.js';
import { asView, parseCpu, parseMemory } from '../model.js';
import type { ControllerContext } from './context.js';

const PODS = resourceByKind('Pod');
const NODES = resourceByKind('Node');
const PVCS = resourceByKind('PersistentVolumeClaim');
/** How long an unschedulable pod waits before the next attempt, unless nodes or volumes change. */
const RETRY_MS = 30_000;

interface Usage {
  cpu: number;
  memory: number;
  pods: number;
}

type Verdict = { ok: true } | { ok: false; reason: string; preemptionHelps: boolean };

function requests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += parseCpu(c.resources?.requests?.['cpu']);
    memory += parseMemory(c.resources?.requests?.['memory']);
  }
  return { cpu, memory };
}

function matchRequirement(req: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[req.key];
  switch (req.operator) {
    case 'In':
      return value !== undefined && (req.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(req.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(req.values?.[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(req.values?.[0]);
    default:
      return false;
  }
}

function matchesNodeSelection(pod: Pod, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0) {
    const fields = { 'metadata.name': node.metadata.name };
    const anyTerm = terms.some(
      (t) =>
        (t.matchExpressions ?? []).every((r) => matchRequirement(r, labels)) &&
        (t.matchFields ?? []).every((r) => matchRequirement(r, fields)),
    );
    if (!anyTerm) return false;
  }
  return true;
}

function untoleratedTaint(pod: Pod, node: NodeObject): string | undefined {
  for (const taint of node.spec.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    const tolerated = (pod.spec.tolerations ?? []).some(
      (t) =>
        (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key) &&
        (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')) &&
        (!t.effect || t.effect === taint.effect),
    );
    if (!tolerated) return `{${taint.key}: ${taint.value ?? ''}}`;
  }
  return undefined;
}

/** The default scheduler: binds pending pods to nodes, or records why none fits. */
export class Scheduler {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly onBound: (pod: Pod) => void,
  ) {}

  /** When each unschedulable pod may be tried again (the scheduler's back-off). */
  private readonly retryAt = new Map<string, number>();

  /** Tries every unbound, live pod (those in back-off only when `force`); returns how many were bound. */
  scheduleAll(force = false): number {
    const now = this.ctx.clock.now();
    const pending = this.ctx.store
      .peekAll(PODS)
      .map((p) => asView<Pod>(p))
      .filter((p) => !p.spec.nodeName && !p.metadata.deletionTimestamp && p.status.phase === 'Pending')
      .filter((p) => force || (this.retryAt.get(p.metadata.uid) ?? 0) <= now);
    if (pending.length === 0) return 0;
    const nodes = this.ctx.store.peekAll(NODES).map((n) => asView<NodeObject>(n));
    nodes.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const usage = this.usageByNode();
    let bound = 0;
    for (const pod of pending) if (this.scheduleOne(pod, nodes, usage)) bound++;
    return bound;
  }

  private usageByNode(): Map<string, Usage> {
    const usage = new Map<string, Usage>();
    for (const json of this.ctx.store.peekAll(PODS)) {
      const pod = asView<Pod>(json);
      const node = pod.spec.nodeName;
      if (!node || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
      const u = usage.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
      const r = requests(pod);
      u.cpu += r.cpu;
      u.memory += r.memory;
      u.pods += 1;
      usage.set(node, u);
    }
    return usage;
  }

  private volumeProblem(pod: Pod): string | undefined {
    for (const volume of pod.spec.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = this.ctx.store.peek(PVCS, pod.metadata.namespace, claim);
      if (!pvc) return `persistentvolumeclaim "${claim}" not found`;
      if (asView<PersistentVolumeClaim>(pvc).status?.phase !== 'Bound') {
        return 'pod has unbound immediate PersistentVolumeClaims';
      }
    }
    return undefined;
  }

  private verdict(pod: Pod, node: NodeObject, usage: Usage): Verdict {
    if (node.spec.unschedulable)
      return { ok: false, reason: 'node(s) were unschedulable', preemptionHelps: false };
    const notReady = node.status.conditions.find((c) => c.type === 'Ready')?.status !== 'True';
    if (notReady)
      return {
        ok: false,
        reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
        preemptionHelps: false,
      };
    const taint = untoleratedTaint(pod, node);
    if (taint) return { ok: false, reason: `node(s) had untolerated taint ${taint}`, preemptionHelps: false };
    if (!matchesNodeSelection(pod, node)) {
      return {
        ok: false,
        reason: "node(s) didn't match Pod's node affinity/selector",
        preemptionHelps: false,
      };
    }
    const want = requests(pod);
    if (usage.pods + 1 > Number(node.status.allocatable['pods'] ?? 110)) {
      return { ok: false, reason: 'Too many pods', preemptionHelps: true };
    }
    if (usage.cpu + want.cpu > parseCpu(node.status.allocatable['cpu'])) {
      return { ok: false, reason: 'Insufficient cpu', preemptionHelps: true };
    }
    if (usage.memory + want.memory > parseMemory(node.status.allocatable['memory'])) {
      return { ok: false, reason: 'Insufficient memory', preemptionHelps: true };
    }
    return { ok: true };
  }

  private scheduleOne(pod: Pod, nodes: NodeObject[], usage: Map<string, Usage>): boolean {
    const total = nodes.length;
    const volumeProblem = this.volumeProblem(pod);
    if (volumeProblem) {
      this.unschedulable(
        pod,
        `0/${total} nodes are available: ${volumeProblem}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
      );
      return false;
    }
    const reasons = new Map<string, number>();
    let helpful = 0;
    let best: { node: NodeObject; score: number } | undefined;
    for (const node of nodes) {
      const u = usage.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 };
      const v = this.verdict(pod, node, u);
      if (!v.ok) {
        reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
        if (v.preemptionHelps) helpful++;
        continue;
      }
      const cpuShare = u.cpu / Math.max(1, parseCpu(node.status.allocatable['cpu']));
      const score = cpuShare + u.pods / 1000;
      if (!best || score < best.score) best = { node, score };
    }
    if (!best) {
      // kube-scheduler sorts the whole "<count> <reason>" strings byte-wise (Go's sort.Strings).
      const parts = [...reasons.entries()]
        .map(([reason, n]) => `${n} ${reason}`)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const preemption =
        helpful > 0
          ? `0/${total} nodes are available: ${helpful} No preemption victims found for incoming pod, ${total - helpful} Preemption is not helpful for scheduling.`
          : `0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
      this.unschedulable(
        pod,
        `0/${total} nodes are available: ${parts.join(', ')}. preemption: ${preemption}`,
      );
      return false;
    }
    const chosen = best.node.metadata.name;
    const u = usage.get(chosen) ?? { cpu: 0, memory: 0, pods: 0 };
    const r = requests(pod);
    usage.set(chosen, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
    this.retryAt.delete(pod.metadata.uid);
    this.bind(pod, best.node);
    return true;
  }

  private bind(pod: Pod, node: NodeObject): void {
    const now = this.ctx.clock.iso();
    const hostIP = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    const podIP = this.allocateIP(node);
    const updated = this.ctx.store.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (json) => {
      const p = asView<Pod>(json);
      p.spec.nodeName = node.metadata.name;
      p.status.conditions = [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ];
      p.status.hostIP = hostIP;
      p.status.hostIPs = [{ ip: hostIP }];
      p.status.podIP = podIP;
      p.status.podIPs = [{ ip: podIP }];
    });
    if (!updated) return;
    this.ctx.events.record(
      updated,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`,
      { component: 'default-scheduler' },
    );
    this.onBound(asView<Pod>(updated));
  }

  private readonly nextIP = new Map<string, number>();

  private allocateIP(node: NodeObject): string {
    const cidr = node.spec.podCIDR ?? '10.244.0.0/24';
    const base = cidr.split('/')[0]!.split('.').map(Number);
    const n = (this.nextIP.get(node.metadata.name) ?? 1) + 1;
    this.nextIP.set(node.metadata.name, n);
    // Pod CIDRs are /24 per node; wrap into the next octet for very dense benchmark nodes.
    return `${base[0]}.${base[1]}.${(base[2]! + Math.floor(n / 254)) % 256}.${(n % 254) + 1}`;
  }

  private unschedulable(pod: Pod, message: string): void {
    this.retryAt.set(pod.metadata.uid, this.ctx.clock.now() + RETRY_MS);
    const now = this.ctx.clock.iso();
    const updated = this.ctx.store.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (json) => {
      const p = asView<Pod>(json);
      const existing = p.status.conditions?.find((c) => c.type === 'PodScheduled');
      p.status.conditions = [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: existing?.status === 'False' ? existing.lastTransitionTime : now,
          reason: 'Unschedulable',
          message,
        },
      ];
    });
    if (updated) {
      this.ctx.events.record(updated, 'Warning', 'FailedScheduling', message, {
        component: 'default-scheduler',
      });
    }
  }
}
