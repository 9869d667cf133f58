/**
 * Whether a connection from one component to another gets through, read off the cluster state the way a
 * packet would travel: DNS (the Service exists), kube-proxy (the Service has the dialled port, with ready
 * endpoints), the pod (its container actually listens on the endpoint's port: the binary it runs, not an
 * image that serves nothing, not stuck before its server starts), then MongoDB's TLS and auth, and any
 * NetworkChaos on either end.
 */
import type { AppSpec } from '../apps/types.js';
import type { Pod, Service } from '../model.js';
import type { SimWorld } from '../runtime.js';
import { expiredCertificate } from './tls-state.js';
import { clusterDnsAnswers } from './dns-state.js';
import type { NetworkEffect } from './chaos.js';
import { networkEffects } from './chaos.js';
import type { Failure, Target } from './messages.js';
import { mongoAccess } from './mongo-state.js';
import type { Dialect } from './topology.js';
import {
  PAUSE_IMAGE,
  R,
  componentNamed,
  databaseName,
  dialectOf,
  mainContainer,
  protocolOf,
  runningComponent,
} from './topology.js';

/** Images whose baked-in config dials a database elsewhere: AIOpsLab's buggy geo points at port 27777. */
const IMAGE_DB_PORTS: Record<string, Record<string, number>> = {
  'yinfangchen/geo:app3': { 'mongodb-geo': 27777 },
};

/** Waiting reasons of a container that is not about to run. */
const FAILING = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'RunContainerError',
]);

export type Dial =
  | { ok: true; target: Target; pods: Pod[]; loss: number; delayMs: number }
  | { ok: false; target: Target; failure: Failure };

interface EndpointsJson {
  subsets?: {
    addresses?: { targetRef?: { name: string } }[];
    notReadyAddresses?: { targetRef?: { name: string } }[];
    ports?: { name?: string; port: number }[];
  }[];
}

/** A read-only view of one app namespace, built once per health computation. */
export class StateView {
  readonly dialect: Dialect;
  readonly net: Map<string, NetworkEffect>;
  private readonly byComponent = new Map<string, Pod[]>();
  private readonly byName = new Map<string, Pod>();
  private readonly listens = new Map<string, Set<number>>();
  private readonly dials = new Map<string, Dial>();

  constructor(
    readonly world: SimWorld,
    readonly namespace: string,
    readonly app: AppSpec,
  ) {
    this.dialect = dialectOf(app);
    for (const json of world.store.peekAll(R.pods, namespace)) {
      const pod = json as unknown as Pod;
      if (pod.metadata.deletionTimestamp) continue;
      this.byName.set(pod.metadata.name, pod);
      const component = pod.metadata.labels?.[app.componentLabel];
      if (component === undefined) continue;
      const list = this.byComponent.get(component) ?? [];
      list.push(pod);
      this.byComponent.set(component, list);
    }
    this.net = networkEffects(world, namespace);
  }

  podsOf(component: string): Pod[] {
    return this.byComponent.get(component) ?? [];
  }

  /**
   * The ports a pod's main container listens on. `optimistic` counts a container that is about to start
   * (scheduled, not failing) as if it ran: what a client that retries for a few seconds would find.
   */
  listening(pod: Pod, optimistic: boolean, depth = 0): Set<number> {
    const key = `${pod.metadata.uid}|${optimistic}|${depth}`;
    let found = this.listens.get(key);
    if (!found) {
      found = this.computeListening(pod, optimistic, depth);
      this.listens.set(key, found);
    }
    return found;
  }

  private computeListening(pod: Pod, optimistic: boolean, depth: number): Set<number> {
    const none = new Set<number>();
    const main = mainContainer(this.app, pod);
    if (!main) return none;
    const { container, status } = main;
    const running = status?.state.running !== undefined;
    if (!running) {
      if (!optimistic || !pod.spec.nodeName) return none;
      if (status?.state.terminated || FAILING.has(status?.state.waiting?.reason ?? '')) return none;
    }
    const image = running ? (status?.image ?? container.image) : container.image;
    if (image === PAUSE_IMAGE) return none;
    const runs = runningComponent(this.app, pod, container);
    if (!runs) return none;
    // A service whose MongoDB is unusable never gets past start-up (mgo panics; the C++ services retry
    // creating their indexes forever): it opens no port.
    if (this.dialect !== 'generic' && depth === 0 && !optimistic) {
      for (const callee of runs.calls) {
        const spec = componentNamed(this.app, callee);
        if (spec && protocolOf(spec) === 'mongodb' && !this.dial(runs.name, callee, { image, depth: 1 }).ok)
          return none;
      }
    }
    return new Set(runs.ports.map((p) => p.containerPort));
  }

  /** The address a caller dials for a callee: the callee's first Service port, unless its image says else. */
  target(callee: string, image?: string): Target {
    const spec = componentNamed(this.app, callee);
    const svc = this.world.store.peek(R.services, this.namespace, callee) as unknown as Service | undefined;
    const port = (image ? IMAGE_DB_PORTS[image]?.[callee] : undefined) ?? spec?.ports[0]?.port ?? 0;
    return { host: callee, ip: svc?.spec.clusterIP ?? '', port };
  }

  /**
   * A connection from `caller` (undefined: any client) to `callee`, now. `transportOnly` stops at the TCP
   * connection (no MongoDB login), for whether the callee itself is up.
   */
  dial(
    caller: string | undefined,
    callee: string,
    options: { optimistic?: boolean; image?: string; depth?: number; transportOnly?: boolean } = {},
  ): Dial {
    const key = JSON.stringify([caller, callee, options]);
    let found = this.dials.get(key);
    if (!found) {
      found = this.computeDial(caller, callee, options);
      this.dials.set(key, found);
    }
    return found;
  }

  private computeDial(
    caller: string | undefined,
    callee: string,
    options: { optimistic?: boolean; image?: string; depth?: number; transportOnly?: boolean },
  ): Dial {
    const optimistic = options.optimistic ?? false;
    const callerImage = options.image ?? (caller ? this.callerImage(caller) : undefined);
    const target = this.target(callee, callerImage);
    const spec = componentNamed(this.app, callee);
    // A caller resolves the Service's name first; a container already past start-up (depth 1) keeps the
    // connections it has. Whether the callee itself is up (transportOnly) is not the resolver's business.
    if (!options.transportOnly && options.depth !== 1 && !clusterDnsAnswers(this.world)) {
      const from = caller ? this.podsOf(caller)[0]?.status.podIP : undefined;
      return { ok: false, target, failure: { kind: 'dns-down', ...(from ? { from } : {}) } };
    }
    const svc = this.world.store.peek(R.services, this.namespace, callee) as unknown as Service | undefined;
    if (!svc || !spec) return { ok: false, target, failure: { kind: 'dns' } };
    const sp = svc.spec.ports?.find((p) => p.port === target.port);
    if (!sp) return { ok: false, target, failure: { kind: 'timeout' } };
    const ep = this.world.store.peek(R.endpoints, this.namespace, callee) as EndpointsJson | undefined;
    const serving: Pod[] = [];
    for (const subset of ep?.subsets ?? []) {
      const ports = subset.ports ?? [];
      const port = ports.find((p) => p.name === sp.name) ?? (ports.length === 1 ? ports[0] : undefined);
      if (!port) continue;
      const addresses = [
        ...(subset.addresses ?? []),
        ...(optimistic ? (subset.notReadyAddresses ?? []) : []),
      ];
      for (const address of addresses) {
        const pod = this.byName.get(address.targetRef?.name ?? '');
        if (pod && this.listening(pod, optimistic, options.depth ?? 0).has(port.port)) serving.push(pod);
      }
    }
    const first = serving[0];
    if (!first) return { ok: false, target, failure: { kind: 'refused' } };
    // TLS above TCP: a client verifies the certificate the server presents (faults/certificates.ts).
    const now = this.world.clock.now();
    const expired = options.transportOnly ? undefined : expiredCertificate(this.world, first, now);
    if (expired)
      return { ok: false, target, failure: { kind: 'tls-expired', notAfter: expired.notAfter, at: now } };
    if (protocolOf(spec) === 'mongodb' && !options.transportOnly) {
      const main = mainContainer(this.app, first);
      const db = databaseName(callee);
      const access = main ? mongoAccess(this.world, first, main.container, callee, db) : 'ok';
      if (access === 'tls') return { ok: false, target, failure: { kind: 'mongo-tls' } };
      if (access === 'auth') return { ok: false, target, failure: { kind: 'mongo-auth' } };
      if (access === 'unauthorized')
        return { ok: false, target, failure: { kind: 'mongo-unauthorized', db } };
    }
    const callerPods = caller ? this.podsOf(caller) : [];
    const mean = (pods: Pod[], pick: (e: NetworkEffect) => number) =>
      pods.length === 0
        ? 0
        : pods.reduce((n, p) => n + pick(this.net.get(p.metadata.name) ?? NONE), 0) / pods.length;
    const loss = 1 - (1 - mean(serving, (e) => e.loss)) * (1 - mean(callerPods, (e) => e.loss));
    const delayMs = mean(serving, (e) => e.delayMs) + mean(callerPods, (e) => e.delayMs);
    return { ok: true, target, pods: serving, loss, delayMs };
  }

  /** The image a caller's pods run (the first running one), which may carry its own config. */
  callerImage(caller: string): string | undefined {
    for (const pod of this.podsOf(caller)) {
      const main = mainContainer(this.app, pod);
      if (main?.status?.state.running) return main.status.image;
    }
    return this.podsOf(caller)[0]?.spec.containers[0]?.image;
  }
}

const NONE: NetworkEffect = { loss: 0, delayMs: 0 };
