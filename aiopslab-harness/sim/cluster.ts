import { PodGraveyard } from './telemetry/graveyard.js';
import { TELEMETRY_NAMESPACE, telemetryServices } from './telemetry/services.js';
import type { JsonObject } from './api/json.js';
import { resourceByKind } from './api/resources.js';
import type { AppSpec, ComponentSpec } from './apps/types.js';
import { SimClock } from './clock.js';
import type { ControllerContext } from './controller/context.js';
import { EventRecorder } from './controller/events.js';
import { ControllerManager } from './controller/manager.js';
import { LogStore } from './logs.js';
import type { Pod } from './model.js';
import { asView } from './model.js';
import { SeededRandom } from './random.js';
import type { BehaviourHook, SimWorld } from './runtime.js';
import { BASE_HOOKS } from './runtime.js';
import { ObjectStore } from './store.js';

export interface ClusterOptions {
  seed?: number;
  /** Simulated start time (ms since the epoch). */
  startTime?: number;
  workers?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  nodeMaxPods?: number;
  /** Also deploy the Services that front Prometheus and Jaeger in `observe`, reachable through the service proxy. */
  telemetryServices?: boolean;
}

const R = {
  namespaces: resourceByKind('Namespace'),
  nodes: resourceByKind('Node'),
  pods: resourceByKind('Pod'),
  services: resourceByKind('Service'),
  deployments: resourceByKind('Deployment'),
  statefulsets: resourceByKind('StatefulSet'),
  pvcs: resourceByKind('PersistentVolumeClaim'),
  configmaps: resourceByKind('ConfigMap'),
  serviceaccounts: resourceByKind('ServiceAccount'),
};

/** A whole simulated cluster in one process: store, clock, control plane, nodes and deployed apps. */
export class SimCluster {
  readonly clock: SimClock;
  readonly random: SeededRandom;
  readonly store: ObjectStore;
  readonly logs = new LogStore();
  readonly events: EventRecorder;
  readonly world: SimWorld;
  /** Behaviour hooks consulted first to last; fault layers unshift theirs. */
  readonly hooks: BehaviourHook[] = [...BASE_HOOKS];
  readonly controllers: ControllerManager;
  private nextServiceIP = 10;

  constructor(options: ClusterOptions = {}) {
    this.clock = new SimClock(options.startTime ?? Date.UTC(2026, 0, 1, 0, 0, 0));
    this.random = new SeededRandom(options.seed ?? 42);
    this.store = new ObjectStore(this.clock, this.random);
    this.events = new EventRecorder(this.store, this.clock, this.random);
    this.world = {
      store: this.store,
      clock: this.clock,
      apps: new Map(),
      graveyard: new PodGraveyard(this.store, this.clock),
    };
    const ctx: ControllerContext = {
      store: this.store,
      clock: this.clock,
      random: this.random,
      events: this.events,
      logs: this.logs,
      world: this.world,
      hooks: this.hooks,
    };
    this.controllers = new ControllerManager(ctx);
    this.clock.onAdvance(() => this.controllers.reconcile());
    this.bootstrap(options);
  }

  reconcile(): void {
    this.controllers.reconcile();
  }

  /** Advances simulated time in steps, so that timers and controllers interleave as they would. */
  advance(ms: number, stepMs = 1000): void {
    let left = ms;
    while (left > 0) {
      const step = Math.min(stepMs, left);
      this.clock.advance(step);
      left -= step;
    }
  }

  /** Advances until every pod is Running and Ready (or `maxMs` passes); returns whether it settled. */
  settle(maxMs = 120_000): boolean {
    for (let waited = 0; waited <= maxMs; waited += 1000) {
      this.reconcile();
      const pods = this.store.peekAll(R.pods).map((p) => asView<Pod>(p));
      const settled = pods.every(
        (p) =>
          p.status.phase === 'Running' &&
          p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      if (settled) return true;
      this.clock.advance(1000);
    }
    return false;
  }

  createNamespace(name: string, labels: Record<string, string> = {}): void {
    if (this.store.peek(R.namespaces, undefined, name)) return;
    this.store.create(R.namespaces, {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    this.store.create(R.serviceaccounts, { metadata: { name: 'default', namespace: name } });
  }

  /** Deploys an app's objects into a namespace (the app's default namespace unless one is given). */
  deployApp(app: AppSpec, namespace = app.defaultNamespace): void {
    this.createNamespace(namespace);
    this.world.apps.set(namespace, { app, namespace });
    for (const configMap of app.configMaps ?? []) {
      this.store.create(R.configmaps, {
        metadata: { name: configMap.name, namespace, labels: { ...(app.commonLabels ?? {}) } },
        data: { ...configMap.data },
      });
    }
    for (const component of app.components) {
      const aliases = Object.fromEntries((app.componentLabelAliases ?? []).map((k) => [k, component.name]));
      const labels = { ...(app.commonLabels ?? {}), ...aliases, [app.componentLabel]: component.name };
      this.createService(namespace, component, labels, app.componentLabel);
      if (component.storage && component.workload === 'Deployment') {
        this.store.create(R.pvcs, {
          metadata: { name: `${component.name}-pvc`, namespace, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: component.storage.size } },
          },
          status: { phase: 'Pending' },
        });
      }
      this.createWorkload(namespace, component, labels, app.componentLabel);
    }
    this.reconcile();
  }

  /** Creates `prometheus-server` and `jaeger-query` in `observe` (idempotent); see telemetry/services.ts. */
  deployTelemetryServices(): void {
    this.createNamespace(TELEMETRY_NAMESPACE);
    for (const svc of telemetryServices(() => this.allocateServiceIP())) {
      const name = (svc['metadata'] as { name: string }).name;
      if (this.store.peek(R.services, TELEMETRY_NAMESPACE, name)) continue;
      svc['metadata'] = { ...(svc['metadata'] as JsonObject), namespace: TELEMETRY_NAMESPACE };
      this.store.create(R.services, svc);
    }
  }

  allocateServiceIP(): string {
    const n = this.nextServiceIP++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  private createService(
    namespace: string,
    component: ComponentSpec,
    labels: Record<string, string>,
    selectorKey: string,
  ): void {
    if (component.ports.length === 0) return;
    const clusterIP = this.allocateServiceIP();
    this.store.create(R.services, {
      metadata: { name: component.name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        clusterIP,
        clusterIPs: [clusterIP],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        selector: { [selectorKey]: component.name },
        ports: component.ports.map((p) => ({
          name: p.name,
          port: p.port,
          protocol: p.protocol ?? 'TCP',
          targetPort: p.containerPort,
        })),
      },
      status: { loadBalancer: {} },
    });
  }

  private createWorkload(
    namespace: string,
    component: ComponentSpec,
    labels: Record<string, string>,
    selectorKey: string,
  ): void {
    const container: JsonObject = {
      name: component.containerName,
      image: component.image,
      ports: component.ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })),
    };
    if (component.command) container['command'] = component.command;
    if (component.args) container['args'] = component.args;
    if (component.env)
      container['env'] = Object.entries(component.env).map(([name, value]) => ({ name, value }));
    if (component.resources)
      container['resources'] = JSON.parse(JSON.stringify(component.resources)) as JsonObject;
    const podSpec: JsonObject = { containers: [container], restartPolicy: 'Always' };
    const selector = { matchLabels: { [selectorKey]: component.name } };
    const template = { metadata: { labels }, spec: podSpec };
    const mounts: JsonObject[] = [];
    const configVolumes: JsonObject[] = [];
    if (component.storage)
      mounts.push({ name: `${component.name}-data`, mountPath: component.storage.mountPath });
    for (const m of component.configMapMounts ?? []) {
      const volume = m.volume ?? m.configMap;
      mounts.push({ name: volume, mountPath: m.mountPath, ...(m.subPath ? { subPath: m.subPath } : {}) });
      if (!configVolumes.some((v) => v['name'] === volume))
        configVolumes.push({ name: volume, configMap: { name: m.configMap, defaultMode: 420 } });
    }
    if (mounts.length) container['volumeMounts'] = mounts;
    if (configVolumes.length) podSpec['volumes'] = configVolumes;
    if (component.workload === 'StatefulSet') {
      this.store.create(R.statefulsets, {
        metadata: { name: component.name, namespace, labels },
        spec: {
          replicas: component.replicas ?? 1,
          selector,
          serviceName: component.name,
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          template,
          volumeClaimTemplates: component.storage
            ? [
                {
                  metadata: { name: `${component.name}-data` },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: component.storage.size } },
                  },
                },
              ]
            : [],
        },
        status: { replicas: 0 },
      });
      return;
    }
    if (component.storage)
      podSpec['volumes'] = [
        { name: `${component.name}-data`, persistentVolumeClaim: { claimName: `${component.name}-pvc` } },
        ...configVolumes,
      ];
    this.store.create(R.deployments, {
      metadata: { name: component.name, namespace, labels, annotations: {} },
      spec: {
        replicas: component.replicas ?? 1,
        selector,
        template,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  }

  private bootstrap(options: ClusterOptions): void {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.createNamespace(ns);
    const workers = options.workers ?? 3;
    const names = [
      'kind-control-plane',
      ...Array.from({ length: workers }, (_, i) => (i === 0 ? 'kind-worker' : `kind-worker${i + 1}`)),
    ];
    names.forEach((name, i) => this.createNode(name, i, name === 'kind-control-plane', options));
    this.store.create(R.services, {
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { component: 'apiserver', provider: 'kubernetes' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        clusterIPs: ['10.96.0.1'],
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
        sessionAffinity: 'None',
      },
      status: { loadBalancer: {} },
    });
    if (options.telemetryServices) this.deployTelemetryServices();
    this.reconcile();
  }

  private createNode(name: string, index: number, controlPlane: boolean, options: ClusterOptions): void {
    const capacity = {
      cpu: options.nodeCpu ?? '8',
      memory: options.nodeMemory ?? '32Gi',
      pods: String(options.nodeMaxPods ?? 110),
      'ephemeral-storage': '263174212Ki',
    };
    const now = this.clock.iso();
    const ip = `172.18.0.${index + 2}`;
    this.store.create(R.nodes, {
      metadata: {
        name,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        },
      },
      spec: {
        podCIDR: `10.244.${index}.0/24`,
        podCIDRs: [`10.244.${index}.0/24`],
        providerID: `kind://docker/kind/${name}`,
        ...(controlPlane
          ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }
          : {}),
      },
      status: {
        capacity,
        allocatable: capacity,
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
        conditions: (
          [
            [
              'MemoryPressure',
              'False',
              'KubeletHasSufficientMemory',
              'kubelet has sufficient memory available',
            ],
            ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
            ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
            ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
          ] as [string, string, string, string][]
        ).map(([type, status, reason, message]) => ({
          type,
          status,
          reason,
          message,
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        })),
        nodeInfo: {
          architecture: 'amd64',
          bootID: this.random.uuid(),
          containerRuntimeVersion: 'containerd://1.7.18',
          kernelVersion: '6.1.0-25-amd64',
          kubeProxyVersion: 'v1.30.0',
          kubeletVersion: 'v1.30.0',
          machineID: this.random.uuid().replace(/-/g, ''),
          operatingSystem: 'linux',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          systemUUID: this.random.uuid(),
        },
      },
    });
  }
}
