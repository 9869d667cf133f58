import { createHash } from 'node:crypto';
import type { JsonObject } from '../api/json.js';
import { text } from '../api/json.js';
import { resourceByKind } from '../api/resources.js';
import type { Container, ContainerStatus, Pod, PodCondition } from '../model.js';
import { asJson, asView } from '../model.js';
import { planContainer } from '../runtime.js';
import type { ContainerPlan } from '../runtime.js';
import type { ControllerContext } from './context.js';
import { planInitContainer } from './init-containers.js';
import type { ProbeHost } from './prober.js';
import { startProbing } from './prober.js';
import { startUpLines, startUpMs } from './start-up.js';

const PODS = resourceByKind('Pod');
const NODES = resourceByKind('Node');
/** What a healthy kubelet reports per condition (pkg/kubelet/nodestatus/setters.go). */
const HEALTHY_CONDITIONS: Readonly<Record<string, [string, string, string]>> = {
  MemoryPressure: ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  DiskPressure: ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  PIDPressure: ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  Ready: ['True', 'KubeletReady', 'kubelet is posting ready status'],
};
const START_DELAY_MS = 500;
const MAX_BACKOFF_MS = 300_000;
/** A container that ran this long gets its crash back-off reset, as the kubelet does. */
const BACKOFF_RESET_MS = 600_000;

interface ContainerRecord {
  restartCount: number;
  /** Terminations (or failed pulls) since the last back-off reset. */
  failures: number;
  startedAt?: number;
  timers: (() => void)[];
}

interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  containers: Map<string, ContainerRecord>;
  terminating: boolean;
}

function backoffMs(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(10_000 * 2 ** (failures - 2), MAX_BACKOFF_MS);
}

function hex64(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** A node whose kubelet has stopped: since when, and the work it will do when it runs again. */
interface StoppedNode {
  since: number;
  deferred: (() => void)[];
}

/** The node agent: runs bound pods' containers through their lifecycle on the simulated clock. */
export class Kubelet {
  private readonly pods = new Map<string, PodRecord>();
  private readonly imageCache = new Map<string, Set<string>>();
  /** Nodes whose kubelet is down (crashed, or the machine is gone): it neither posts status nor acts. */
  private readonly stopped = new Map<string, StoppedNode>();

  constructor(private readonly ctx: ControllerContext) {}

  tracked(uid: string): boolean {
    return this.pods.has(uid);
  }

  /**
   * The kubelet on `node` stops (a crashed agent, a partitioned or powered-off machine): from now on it posts
   * no node status or lease, writes no pod status, records no events and finishes no deletion. Its timers are
   * held and run, late, if it starts again (a restarted kubelet catches up with its pods).
   */
  stopNode(node: string): void {
    if (!this.stopped.has(node)) this.stopped.set(node, { since: this.ctx.clock.now(), deferred: [] });
  }

  /** When the kubelet on `node` stopped posting status; undefined while it runs. */
  stoppedSince(node: string): number | undefined {
    return this.stopped.get(node)?.since;
  }

  /**
   * The kubelet on `node` runs again: it posts a Ready status (pkg/kubelet/nodestatus/setters.go
   * ReadyCondition: KubeletReady "kubelet is posting ready status"), finishes the deletions the API server
   * asked for meanwhile (a pod with a deletionTimestamp is stopped and removed) and resumes its pods' timers.
   */
  startNode(node: string): void {
    const state = this.stopped.get(node);
    if (!state) return;
    this.stopped.delete(node);
    this.postNodeStatus(node);
    for (const run of state.deferred) run();
    for (const record of [...this.pods.values()].filter((r) => r.node === node)) {
      const pod = this.current(record);
      if (!pod) continue;
      if (pod.metadata.deletionTimestamp) this.terminate(asJson(pod));
      // Re-derives Ready from the containers, undoing the node controller's MarkPodsNotReady.
      else this.update(record, () => undefined);
    }
  }

  /**
   * The eviction manager's kill (pkg/kubelet/eviction/eviction_manager.go evictPod): the containers are
   * stopped at once, the pod is left Failed with reason Evicted and the manager's message, a DisruptionTarget
   * condition (TerminationByKubelet) and a Warning Evicted event; the object stays, as evicted pods do.
   */
  evict(podJson: JsonObject, message: string): boolean {
    const pod = asView<Pod>(podJson);
    const record = this.pods.get(pod.metadata.uid);
    if (!record || record.terminating || this.down(record)) return false;
    record.terminating = true;
    const now = this.ctx.clock.now();
    const at = this.ctx.clock.iso(now);
    for (const [name, c] of record.containers) {
      c.timers.forEach((cancel) => cancel());
      c.timers = [];
      this.ctx.logs.finish(record.uid, name, now);
    }
    const updated = this.ctx.store.mutate(PODS, record.namespace, record.name, (json) => {
      const view = asView<Pod>(json);
      view.status.phase = 'Failed';
      view.status.reason = 'Evicted';
      view.status.message = message;
      for (const s of view.status.containerStatuses ?? []) {
        if (s.state.running)
          s.state = {
            terminated: {
              exitCode: 137,
              reason: 'Error',
              startedAt: s.state.running.startedAt,
              finishedAt: at,
              ...(s.containerID ? { containerID: s.containerID } : {}),
            },
          };
        s.ready = false;
        s.started = false;
      }
      for (const c of view.status.conditions ?? [])
        if (c.type === 'Ready' || c.type === 'ContainersReady') {
          if (c.status !== 'False') c.lastTransitionTime = at;
          c.status = 'False';
          c.reason = 'PodFailed';
          delete c.message;
        }
      view.status.conditions = [
        ...(view.status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'TerminationByKubelet',
          message,
          lastProbeTime: null,
          lastTransitionTime: at,
        },
      ];
    });
    if (updated)
      this.ctx.events.record(updated, 'Warning', 'Evicted', message, {
        component: 'kubelet',
        host: record.node,
      });
    return updated !== undefined;
  }

  /** The heartbeat a running kubelet posts: every condition as it really is (all healthy here). */
  private postNodeStatus(node: string): void {
    const now = this.ctx.clock.iso();
    this.ctx.store.mutate(NODES, undefined, node, (json) => {
      const status = json['status'] as { conditions?: JsonObject[] };
      status.conditions = (status.conditions ?? []).map((c) => {
        const healthy = HEALTHY_CONDITIONS[text(c['type'])];
        if (!healthy) return c;
        const [value, reason, message] = healthy;
        const since = c['status'] === value ? (c['lastTransitionTime'] ?? now) : now;
        return { ...c, status: value, reason, message, lastHeartbeatTime: now, lastTransitionTime: since };
      });
    });
  }

  private down(record: PodRecord): StoppedNode | undefined {
    return this.stopped.get(record.node);
  }

  /** Takes over a pod the scheduler just bound to a node. */
  admit(podJson: JsonObject): void {
    const pod = asView<Pod>(podJson);
    if (!pod.spec.nodeName || this.pods.has(pod.metadata.uid)) return;
    const record: PodRecord = {
      uid: pod.metadata.uid,
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      node: pod.spec.nodeName,
      containers: new Map(
        [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => [
          c.name,
          { restartCount: 0, failures: 0, timers: [] },
        ]),
      ),
      terminating: false,
    };
    this.pods.set(record.uid, record);
    const now = this.ctx.clock.iso();
    const inits = pod.spec.initContainers ?? [];
    // Until its init containers have completed, a pod's containers wait in PodInitializing.
    const waiting = (c: Container): ContainerStatus => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: inits.length > 0 ? 'PodInitializing' : 'ContainerCreating' } },
      lastState: {},
    });
    this.update(record, (p) => {
      p.status.startTime = now;
      if (inits.length > 0) p.status.initContainerStatuses = inits.map(waiting);
      p.status.containerStatuses = p.spec.containers.map(waiting);
    });
    if (inits.length > 0)
      this.schedule(record, inits[0]!.name, START_DELAY_MS, () => this.runInit(record, 0));
    else this.startApp(record, pod);
  }

  private startApp(record: PodRecord, pod: Pod): void {
    for (const container of pod.spec.containers) {
      this.schedule(record, container.name, START_DELAY_MS, () =>
        this.startContainer(record, container.name),
      );
    }
  }

  /** Init container `index` runs to its end; success starts the next (or the app), failure backs off. */
  private runInit(record: PodRecord, index: number): void {
    const pod = this.current(record);
    const container = pod?.spec.initContainers?.[index];
    const state = container ? record.containers.get(container.name) : undefined;
    if (!pod || !container || !state || record.terminating) return;
    const plan = planInitContainer(this.ctx.world, pod, container);
    const now = this.ctx.clock.now();
    if (state.startedAt !== undefined) state.restartCount++;
    state.startedAt = now;
    this.pullEvents(record, container);
    this.event(record, 'Normal', 'Created', `Created container: ${container.name}`, container.name);
    this.event(record, 'Normal', 'Started', `Started container ${container.name}`, container.name);
    const containerID = `containerd://${hex64(`${record.uid}/${container.name}/${state.restartCount}`)}`;
    this.ctx.logs.start(record.uid, container.name, {
      startedAt: now,
      lines: plan.logs.map((text, i) => ({ at: now + plan.afterMs - 1 + i, text })),
      steady: [],
      steadyEveryMs: 0,
      seed: now,
    });
    const startedAt = this.ctx.clock.iso(now);
    this.setInit(record, container.name, (s) => {
      if (s.state.terminated) s.lastState = { terminated: s.state.terminated };
      s.state = { running: { startedAt } };
      s.started = true;
      s.restartCount = state.restartCount;
      s.containerID = containerID;
      s.imageID = `${container.image.split(':')[0]}@sha256:${hex64(container.image)}`;
    });
    this.schedule(record, container.name, plan.afterMs, () => {
      const end = this.ctx.clock.now();
      this.ctx.logs.finish(record.uid, container.name, end);
      const ok = plan.exitCode === 0;
      this.setInit(record, container.name, (s) => {
        s.state = {
          terminated: {
            exitCode: plan.exitCode,
            reason: ok ? 'Completed' : 'Error',
            startedAt,
            finishedAt: this.ctx.clock.iso(end),
            containerID,
          },
        };
        s.started = false;
        s.ready = ok;
      });
      if (ok) {
        state.failures = 0;
        const next = index + 1;
        const current = this.current(record);
        if (!current) return;
        if (next < (current.spec.initContainers ?? []).length) this.runInit(record, next);
        else this.startApp(record, current);
        return;
      }
      state.failures++;
      const delay = backoffMs(state.failures);
      this.schedule(record, container.name, 1000, () => {
        if (delay === 0) return this.runInit(record, index);
        const message = `back-off ${delay / 1000}s restarting failed container=${container.name} pod=${record.name}_${record.namespace}(${record.uid})`;
        this.setInit(record, container.name, (s) => {
          if (s.state.terminated) s.lastState = { terminated: s.state.terminated };
          s.state = { waiting: { reason: 'CrashLoopBackOff', message } };
        });
        this.event(
          record,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${container.name} in pod ${record.name}_${record.namespace}(${record.uid})`,
          container.name,
        );
        this.schedule(record, container.name, delay, () => this.runInit(record, index));
      });
    });
  }

  private setInit(record: PodRecord, name: string, change: (status: ContainerStatus) => void): void {
    this.update(record, (pod) => {
      const status = pod.status.initContainerStatuses?.find((s) => s.name === name);
      if (status) change(status);
    });
  }

  /**
   * What a DELETE of a pod does: an unbound pod goes at once; a running one gets a deletionTimestamp,
   * its containers are stopped, and the object goes when they have. Returns the object as it then is.
   */
  requestDeletion(podJson: JsonObject, graceSeconds?: number): JsonObject {
    const pod = asView<Pod>(podJson);
    const namespace = pod.metadata.namespace ?? 'default';
    const record = this.pods.get(pod.metadata.uid);
    if (graceSeconds === 0 && record && this.down(record)) {
      // `kubectl delete --grace-period=0 --force`: the API server removes the object without waiting for a
      // kubelet that will never confirm (what a person does for a pod stuck Terminating on a lost node).
      this.removePod(namespace, pod.metadata.name, pod.metadata.uid);
      return podJson;
    }
    if (!pod.spec.nodeName || graceSeconds === 0) {
      this.terminate(podJson);
      return this.ctx.store.peek(PODS, namespace, pod.metadata.name) ?? podJson;
    }
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const updated =
      pod.metadata.deletionTimestamp !== undefined
        ? podJson
        : this.ctx.store.mutate(PODS, namespace, pod.metadata.name, (json) => {
            const meta = json['metadata'] as JsonObject;
            meta['deletionTimestamp'] = this.ctx.clock.iso(this.ctx.clock.now() + grace * 1000);
            meta['deletionGracePeriodSeconds'] = grace;
          });
    if (updated) this.terminate(updated);
    return updated ?? podJson;
  }

  /** Graceful deletion: stop the containers, then remove the pod object. */
  terminate(podJson: JsonObject): void {
    const pod = asView<Pod>(podJson);
    const record = this.pods.get(pod.metadata.uid);
    if (!record) {
      this.removePod(pod.metadata.namespace ?? 'default', pod.metadata.name, pod.metadata.uid);
      return;
    }
    if (record.terminating) return;
    const stopped = this.down(record);
    if (stopped) {
      // Nobody on the node stops the containers: the pod stays Terminating until its kubelet returns.
      stopped.deferred.push(() => {
        const current = this.current(record);
        if (current) this.terminate(asJson(current));
      });
      return;
    }
    record.terminating = true;
    for (const [name, c] of record.containers) {
      c.timers.forEach((cancel) => cancel());
      c.timers = [];
      const status = pod.status.containerStatuses?.find((s) => s.name === name);
      if (status?.state.running) {
        this.event(record, 'Normal', 'Killing', `Stopping container ${name}`, name);
      }
    }
    const graceMs = Math.min((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000, 1000);
    this.ctx.clock.after(graceMs, () => this.removePod(record.namespace, record.name, record.uid));
  }

  private removePod(namespace: string, name: string, uid: string): void {
    const current = this.ctx.store.peek(PODS, namespace, name);
    if (current && asView<Pod>(current).metadata.uid === uid) this.ctx.store.remove(PODS, namespace, name);
    const record = this.pods.get(uid);
    record?.containers.forEach((c) => c.timers.forEach((cancel) => cancel()));
    this.pods.delete(uid);
    this.ctx.logs.forget(uid);
  }

  private startContainer(record: PodRecord, name: string): void {
    const pod = this.current(record);
    const container = pod?.spec.containers.find((c) => c.name === name);
    const state = record.containers.get(name);
    if (!pod || !container || !state || record.terminating) return;
    const plan = planContainer(this.ctx.hooks, {
      pod,
      container,
      world: this.ctx.world,
      restartCount: state.restartCount,
    });
    switch (plan.outcome) {
      case 'imagePull':
        return this.failPull(record, container, state, plan.message);
      case 'config':
        return this.failConfig(record, container, state, plan.message);
      case 'startError':
        return this.failStart(record, container, state, plan.message);
      case 'run':
      case 'exit':
        return this.run(record, container, state, plan);
    }
  }

  private pullEvents(record: PodRecord, container: Container): void {
    const cached = this.imageCache.get(record.node) ?? new Set<string>();
    this.imageCache.set(record.node, cached);
    if (cached.has(container.image) && container.imagePullPolicy !== 'Always') {
      this.event(
        record,
        'Normal',
        'Pulled',
        `Container image "${container.image}" already present on machine`,
        container.name,
      );
      return;
    }
    cached.add(container.image);
    this.event(record, 'Normal', 'Pulling', `Pulling image "${container.image}"`, container.name);
    this.event(
      record,
      'Normal',
      'Pulled',
      `Successfully pulled image "${container.image}" in 1.204s (1.204s including waiting). Image size: 26718912 bytes.`,
      container.name,
    );
  }

  private run(
    record: PodRecord,
    container: Container,
    state: ContainerRecord,
    plan: Extract<ContainerPlan, { outcome: 'run' | 'exit' }>,
  ): void {
    const now = this.ctx.clock.now();
    const restarting = state.startedAt !== undefined;
    if (restarting) state.restartCount++;
    state.startedAt = now;
    this.pullEvents(record, container);
    this.event(record, 'Normal', 'Created', `Created container: ${container.name}`, container.name);
    this.event(record, 'Normal', 'Started', `Started container ${container.name}`, container.name);
    const containerID = `containerd://${hex64(`${record.uid}/${container.name}/${state.restartCount}`)}`;
    const startedAt = this.ctx.clock.iso(now);
    const pod = this.current(record);
    const startingMs = plan.outcome === 'run' && pod ? startUpMs(this.ctx.world, pod, container) : 0;
    const lines = startUpLines(plan.outcome === 'run' ? plan.startupLogs : plan.logs, now, startingMs);
    this.ctx.logs.start(record.uid, container.name, {
      // Steady lines (requests served) begin once the process listens.
      startedAt: now + startingMs,
      lines,
      steady: plan.outcome === 'run' ? plan.steadyLogs : [],
      steadyEveryMs: plan.outcome === 'run' ? (plan.steadyEveryMs ?? 15_000) : 0,
      seed: Number.parseInt(containerID.slice(-8), 16) || now,
      ...(plan.outcome === 'run' && plan.dynamicLogs ? { dynamic: plan.dynamicLogs } : {}),
    });
    const gated = container.startupProbe !== undefined;
    // A job that will complete (a load generator's run) is Ready while it runs, as any container without a
    // readiness probe is; one that will crash stays unready here (its restarts are the symptom modelled).
    const quiet = !container.readinessProbe && !gated;
    const ready = plan.outcome === 'run' ? plan.ready && quiet : plan.reason === 'Completed' && quiet;
    this.setContainer(record, container.name, (s) => {
      if (restarting && s.state.terminated) s.lastState = { terminated: s.state.terminated };
      s.state = { running: { startedAt } };
      s.started = !gated;
      s.ready = ready;
      s.restartCount = state.restartCount;
      s.containerID = containerID;
      s.image = container.image;
      s.imageID = `${container.image.split(':')[0]}@sha256:${hex64(container.image)}`;
    });
    if (plan.outcome === 'run')
      startProbing(this.proberHost(record, container, state), container, {
        listeningAt: now + startingMs,
        ...(plan.ready
          ? {}
          : { readinessFailure: plan.readinessFailure ?? 'HTTP probe failed with statuscode: 503' }),
      });
    if (plan.outcome === 'exit') {
      this.schedule(record, container.name, plan.afterMs, () => this.exit(record, container, state, plan));
    }
  }

  /** The probe workers' view of one container (prober.ts). */
  private proberHost(record: PodRecord, container: Container, state: ContainerRecord): ProbeHost {
    const name = container.name;
    return {
      world: this.ctx.world,
      now: () => this.ctx.clock.now(),
      pod: () => this.current(record),
      schedule: (ms, run) => this.schedule(record, name, ms, run),
      unhealthy: (message) => this.event(record, 'Warning', 'Unhealthy', message, name),
      kill: (probe) => {
        this.event(
          record,
          'Normal',
          'Killing',
          `Container ${name} failed ${probe} probe, will be restarted`,
          name,
        );
        state.timers.forEach((cancel) => cancel());
        state.timers = [];
        this.stopContainer(record, container, state, {
          exitCode: 143,
          reason: 'Error',
          countsAsFailure: true,
        });
      },
      started: () =>
        this.setContainer(record, name, (s) => {
          if (s.state.running) s.started = true;
        }),
      ready: () =>
        this.setContainer(record, name, (s) => {
          if (s.state.running && s.started) s.ready = true;
        }),
    };
  }

  /**
   * Stops a running container from outside: a chaos tool's SIGKILL (exit 137, counted like a crash), or a
   * changed container definition (e.g. its image patched), which the kubelet restarts without back-off.
   * The restart policy then applies. Returns whether a running container was stopped.
   */
  killContainer(
    namespace: string,
    podName: string,
    containerName: string,
    options: { exitCode?: number; definitionChanged?: boolean } = {},
  ): boolean {
    const json = this.ctx.store.peek(PODS, namespace, podName);
    if (!json) return false;
    const pod = asView<Pod>(json);
    const record = this.pods.get(pod.metadata.uid);
    const state = record?.containers.get(containerName);
    const container = pod.spec.containers.find((c) => c.name === containerName);
    const running = pod.status.containerStatuses?.find((s) => s.name === containerName)?.state.running;
    if (!record || !state || !container || !running || record.terminating) return false;
    state.timers.forEach((cancel) => cancel());
    state.timers = [];
    if (options.definitionChanged)
      this.event(
        record,
        'Normal',
        'Killing',
        `Container ${containerName} definition changed, will be restarted`,
        containerName,
      );
    this.stopContainer(record, container, state, {
      exitCode: options.exitCode ?? 137,
      reason: 'Error',
      countsAsFailure: !options.definitionChanged,
    });
    return true;
  }

  private exit(
    record: PodRecord,
    container: Container,
    state: ContainerRecord,
    plan: Extract<ContainerPlan, { outcome: 'exit' }>,
  ): void {
    this.stopContainer(record, container, state, {
      exitCode: plan.exitCode,
      reason: plan.reason,
      countsAsFailure: true,
    });
  }

  private stopContainer(
    record: PodRecord,
    container: Container,
    state: ContainerRecord,
    plan: { exitCode: number; reason: string; countsAsFailure: boolean },
  ): void {
    const now = this.ctx.clock.now();
    const ranFor = now - (state.startedAt ?? now);
    if (plan.countsAsFailure) state.failures = ranFor >= BACKOFF_RESET_MS ? 1 : state.failures + 1;
    else state.failures = 0;
    this.ctx.logs.finish(record.uid, container.name, now);
    this.setContainer(record, container.name, (s) => {
      const startedAt = s.state.running?.startedAt ?? this.ctx.clock.iso(now);
      s.state = {
        terminated: {
          exitCode: plan.exitCode,
          reason: plan.reason,
          startedAt,
          finishedAt: this.ctx.clock.iso(now),
          ...(s.containerID ? { containerID: s.containerID } : {}),
        },
      };
      s.ready = false;
      s.started = false;
    });
    this.afterTermination(record, container, state);
  }

  private failStart(record: PodRecord, container: Container, state: ContainerRecord, message: string): void {
    const now = this.ctx.clock.now();
    if (state.startedAt !== undefined) state.restartCount++;
    state.startedAt = now;
    state.failures++;
    this.pullEvents(record, container);
    this.event(record, 'Normal', 'Created', `Created container: ${container.name}`, container.name);
    this.event(record, 'Warning', 'Failed', `Error: ${message}`, container.name);
    const at = this.ctx.clock.iso(now);
    this.setContainer(record, container.name, (s) => {
      if (s.state.terminated) s.lastState = { terminated: s.state.terminated };
      s.restartCount = state.restartCount;
      s.state = {
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message,
          startedAt: '1970-01-01T00:00:00Z',
          finishedAt: at,
        },
      };
      s.ready = false;
      s.started = false;
    });
    this.afterTermination(record, container, state);
  }

  /** After a container stops: restart it, at once or after a crash-loop back-off, per the restart policy. */
  private afterTermination(record: PodRecord, container: Container, state: ContainerRecord): void {
    const pod = this.current(record);
    if (!pod) return;
    const policy = pod.spec.restartPolicy ?? 'Always';
    const status = pod.status.containerStatuses?.find((s) => s.name === container.name);
    const exitCode = status?.state.terminated?.exitCode ?? 1;
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) return;
    const delay = backoffMs(state.failures);
    this.schedule(record, container.name, 1000, () => {
      if (delay === 0) return this.startContainer(record, container.name);
      const podRef = this.current(record);
      if (!podRef) return;
      const message = `back-off ${delay / 1000}s restarting failed container=${container.name} pod=${record.name}_${record.namespace}(${record.uid})`;
      this.setContainer(record, container.name, (s) => {
        if (s.state.terminated) s.lastState = { terminated: s.state.terminated };
        s.state = { waiting: { reason: 'CrashLoopBackOff', message } };
      });
      this.event(
        record,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${container.name} in pod ${record.name}_${record.namespace}(${record.uid})`,
        container.name,
      );
      this.schedule(record, container.name, delay, () => this.startContainer(record, container.name));
    });
  }

  private failPull(record: PodRecord, container: Container, state: ContainerRecord, message: string): void {
    state.failures++;
    this.event(record, 'Normal', 'Pulling', `Pulling image "${container.image}"`, container.name);
    this.event(
      record,
      'Warning',
      'Failed',
      `Failed to pull image "${container.image}": ${message}`,
      container.name,
    );
    this.event(record, 'Warning', 'Failed', 'Error: ErrImagePull', container.name);
    this.setContainer(record, container.name, (s) => {
      s.state = { waiting: { reason: 'ErrImagePull', message } };
    });
    const delay = Math.max(backoffMs(state.failures + 1), 10_000);
    this.schedule(record, container.name, 1000, () => {
      this.event(record, 'Normal', 'BackOff', `Back-off pulling image "${container.image}"`, container.name);
      this.event(record, 'Warning', 'Failed', 'Error: ImagePullBackOff', container.name);
      this.setContainer(record, container.name, (s) => {
        s.state = {
          waiting: {
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${container.image}": ErrImagePull: ${message}`,
          },
        };
      });
      this.schedule(record, container.name, delay, () => this.startContainer(record, container.name));
    });
  }

  private failConfig(record: PodRecord, container: Container, state: ContainerRecord, message: string): void {
    state.failures++;
    this.event(record, 'Warning', 'Failed', `Error: ${message}`, container.name);
    this.setContainer(record, container.name, (s) => {
      s.state = { waiting: { reason: 'CreateContainerConfigError', message } };
    });
    this.schedule(record, container.name, 10_000, () => this.startContainer(record, container.name));
  }

  private schedule(record: PodRecord, container: string, ms: number, run: () => void): void {
    const state = record.containers.get(container);
    if (!state) return;
    const cancel = this.ctx.clock.after(ms, () => {
      state.timers = state.timers.filter((t) => t !== cancel);
      const stopped = this.down(record);
      if (stopped) stopped.deferred.push(() => this.schedule(record, container, 0, run));
      else if (!record.terminating && this.pods.has(record.uid)) run();
    });
    state.timers.push(cancel);
  }

  private current(record: PodRecord): Pod | undefined {
    const found = this.ctx.store.peek(PODS, record.namespace, record.name);
    if (!found) return undefined;
    const pod = asView<Pod>(found);
    return pod.metadata.uid === record.uid ? pod : undefined;
  }

  private setContainer(record: PodRecord, name: string, change: (status: ContainerStatus) => void): void {
    this.update(record, (pod) => {
      const status = pod.status.containerStatuses?.find((s) => s.name === name);
      if (status) change(status);
    });
  }

  private update(record: PodRecord, change: (pod: Pod) => void): void {
    if (!this.current(record) || this.down(record)) return;
    const now = this.ctx.clock.iso();
    this.ctx.store.mutate(PODS, record.namespace, record.name, (json) => {
      const pod = asView<Pod>(json);
      change(pod);
      derivePodStatus(pod, now);
    });
  }

  private event(
    record: PodRecord,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    container: string,
  ): void {
    const pod = this.ctx.store.peek(PODS, record.namespace, record.name);
    if (!pod || this.down(record)) return;
    this.ctx.events.record(
      pod,
      type,
      reason,
      message,
      { component: 'kubelet', host: record.node },
      pod['spec'] && asView<Pod>(pod).spec.initContainers?.some((c) => c.name === container)
        ? `spec.initContainers{${container}}`
        : `spec.containers{${container}}`,
    );
  }
}

function setCondition(
  pod: Pod,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
): void {
  const conditions = (pod.status.conditions ??= []);
  const status = ok ? 'True' : 'False';
  const existing = conditions.find((c) => c.type === type);
  const next: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: now };
  if (reason) next.reason = reason;
  if (message) next.message = message;
  if (existing) {
    if (existing.status === status) next.lastTransitionTime = existing.lastTransitionTime;
    Object.assign(existing, next);
    if (!reason) delete existing.reason;
    if (!message) delete existing.message;
  } else conditions.push(next);
}

/** Phase and conditions follow from the container statuses, as the kubelet computes them. */
export function derivePodStatus(pod: Pod, now: string): void {
  const statuses = pod.status.containerStatuses ?? [];
  const inits = pod.status.initContainerStatuses ?? [];
  const pendingInits = inits.filter((s) => s.state.terminated?.exitCode !== 0).map((s) => s.name);
  const everRan = (s: ContainerStatus) =>
    !!s.state.running || !!s.state.terminated || !!s.lastState.terminated || s.restartCount > 0;
  const policy = pod.spec.restartPolicy ?? 'Always';
  const allTerminated = statuses.length > 0 && statuses.every((s) => s.state.terminated);
  if (policy !== 'Always' && allTerminated) {
    pod.status.phase = statuses.every((s) => s.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
  } else if (pendingInits.length === 0 && statuses.length > 0 && statuses.every(everRan)) {
    pod.status.phase = 'Running';
  } else {
    pod.status.phase = 'Pending';
  }
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const ready = statuses.length > 0 && unready.length === 0;
  const message = unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined;
  setCondition(pod, 'PodReadyToStartContainers', true, now);
  setCondition(
    pod,
    'Initialized',
    pendingInits.length === 0,
    now,
    pendingInits.length ? 'ContainersNotInitialized' : undefined,
    pendingInits.length ? `containers with incomplete status: [${pendingInits.join(' ')}]` : undefined,
  );
  setCondition(pod, 'Ready', ready, now, ready ? undefined : 'ContainersNotReady', message);
  setCondition(pod, 'ContainersReady', ready, now, ready ? undefined : 'ContainersNotReady', message);
  setCondition(pod, 'PodScheduled', true, now);
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  pod.status.conditions?.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
