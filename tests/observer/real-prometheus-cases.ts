/**
 * The catalog's fault kinds as metrics show them, for the real-Prometheus test: where each is injected,
 * which finding (component, signal, whom it blames) shows it through kube-state-metrics/cAdvisor plus a
 * request dialect, and for which dialects that finding is applicable. Faults share a namespace only where
 * none can produce another's finding, so each finding is about its own fault. The kinds no metric shows are
 * listed with the reason.
 */
import type { Evidence } from '../../src/core/evidence.js';
import type { MetricSignal } from '../../src/observer/metric-dialects.js';
import { SIGNAL_NAMES } from '../../src/observer/metric-dialects.js';

export interface Expected {
  component: string;
  signal: string;
  /** The component a caller's signal blames. */
  blames?: string;
}

export interface MetricCase {
  kind: string;
  /** astronomy-shop's faults are flagd flags. */
  flag?: string;
  app: 'astronomy-shop' | 'hotel-reservation' | 'social-network';
  target: string;
  namespace: string;
  /** The first finding localizes the fault; later ones cover more signal families. */
  expect: Expected[];
  /** Why the root cause itself is not in any metric, where only its symptoms are. */
  rootCauseElsewhere?: string;
  /**
   * Shown by a gauge (pods Pending, replicas short), which needs no history: injected before Prometheus
   * starts, with simulated time driven past the fault's slow part (a redeployed namespace's pods take about
   * 17 s to come back), so the test does not wait for it in real time.
   */
  early?: true;
  /** Signals nothing can measure here, rightly a gap (no container of the namespace runs). */
  gaps?: RegExp;
}

const shop = (namespace: string, flag: string, ...expect: Expected[]): MetricCase => ({
  kind: 'feature_flag',
  flag,
  app: 'astronomy-shop',
  target: '',
  namespace,
  expect,
});

/** Every metric-visible fault kind of the catalog (aiopslab-harness/problems/*.yaml), each flag once. */
export const CASES: MetricCase[] = [
  shop('shop-a', 'adHighCpu', { component: 'ad', signal: 'CpuHigh' }),
  shop('shop-a', 'recommendationCacheFailure', { component: 'recommendation', signal: 'MemoryHigh' }),
  shop('shop-a', 'kafkaQueueProblems', { component: 'kafka', signal: 'TrafficSpike' }),
  shop(
    'shop-a',
    'cartFailure',
    { component: 'cart', signal: 'ErrorRateHigh' },
    { component: 'checkout', signal: 'PeerErrorRate', blames: 'cart' },
  ),
  shop(
    'shop-a',
    'imageSlowLoad',
    { component: 'frontend', signal: 'LatencyHigh' },
    { component: 'frontend-proxy', signal: 'PeerLatency', blames: 'frontend' },
  ),
  shop('shop-b', 'adFailure', { component: 'ad', signal: 'ErrorRateHigh' }),
  shop('shop-b', 'paymentFailure', { component: 'payment', signal: 'ErrorRateHigh' }),
  shop('shop-b', 'productCatalogFailure', { component: 'product-catalog', signal: 'ErrorRateHigh' }),
  shop('shop-b', 'loadGeneratorFloodHomepage', { component: 'frontend', signal: 'TrafficSpike' }),
  shop('shop-c', 'adManualGc', { component: 'ad', signal: 'LatencyHigh' }),
  shop('shop-c', 'paymentUnreachable', { component: 'checkout', signal: 'PeerErrorRate', blames: 'payment' }),
  {
    kind: 'misconfig_app',
    app: 'hotel-reservation',
    target: 'geo',
    namespace: 'hotel-a',
    expect: [{ component: 'geo', signal: 'RestartsRising' }],
  },
  {
    kind: 'wrong_bin_usage',
    app: 'hotel-reservation',
    target: 'profile',
    namespace: 'hotel-a',
    expect: [{ component: 'frontend', signal: 'PeerErrorRate', blames: 'profile' }],
  },
  {
    kind: 'network_delay',
    app: 'hotel-reservation',
    target: 'user',
    namespace: 'hotel-a',
    expect: [{ component: 'user', signal: 'LatencyHigh' }],
  },
  {
    kind: 'container_kill',
    app: 'hotel-reservation',
    target: 'geo',
    namespace: 'hotel-b',
    expect: [{ component: 'geo', signal: 'RestartsRising' }],
  },
  {
    kind: 'user_unregistered_mongodb',
    app: 'hotel-reservation',
    target: 'mongodb-rate',
    namespace: 'hotel-b',
    expect: [{ component: 'rate', signal: 'RestartsRising' }],
    rootCauseElsewhere:
      'the dropped user is inside mongod, which stays up and serves no request metrics here; its client (rate, ' +
      'which AIOpsLab accepts) crash-loops, and the failed logins are in the logs',
  },
  {
    kind: 'network_loss',
    app: 'hotel-reservation',
    target: 'user',
    namespace: 'hotel-b',
    expect: [{ component: 'frontend', signal: 'PeerErrorRate', blames: 'user' }],
  },
  {
    kind: 'revoke_auth_mongodb',
    app: 'hotel-reservation',
    target: 'mongodb-geo',
    namespace: 'hotel-c',
    expect: [{ component: 'geo', signal: 'RestartsRising' }],
    rootCauseElsewhere:
      'the revoked role is inside mongod, which stays up; its client (geo, which AIOpsLab accepts) ' +
      'crash-loops, and "not authorized" is in the logs',
  },
  {
    kind: 'pod_kill',
    app: 'hotel-reservation',
    target: 'user',
    namespace: 'hotel-c',
    expect: [{ component: 'user', signal: 'RestartsRising' }],
  },
  {
    kind: 'pod_failure',
    app: 'hotel-reservation',
    target: 'user',
    namespace: 'hotel-d',
    expect: [{ component: 'user', signal: 'RestartsRising' }],
  },
  {
    kind: 'redeploy_without_pv',
    app: 'hotel-reservation',
    target: '',
    namespace: 'hotel-e',
    expect: [{ component: 'mongodb-geo', signal: 'PodsWaiting' }],
    early: true,
    gaps: /^metrics: (CPU|memory|restarts|error ratio|latency|traffic) not measured$/,
    rootCauseElsewhere:
      'the unbound PersistentVolumeClaim is an object, not a metric the observer reads; its pods stay Pending',
  },
  {
    kind: 'misconfig_k8s_target_port',
    app: 'social-network',
    target: 'post-storage-service',
    namespace: 'social-a',
    expect: [{ component: 'compose-post-service', signal: 'PeerErrorRate', blames: 'post-storage-service' }],
    rootCauseElsewhere:
      "the Service's targetPort is an object, not a metric; its callers' failed calls to it are",
  },
  {
    kind: 'scale_pods_to_zero',
    app: 'social-network',
    target: 'user-service',
    namespace: 'social-a',
    expect: [{ component: 'compose-post-service', signal: 'PeerErrorRate', blames: 'user-service' }],
  },
  {
    kind: 'auth_miss_mongodb',
    app: 'social-network',
    target: 'url-shorten-mongodb',
    namespace: 'social-a',
    expect: [{ component: 'text-service', signal: 'PeerErrorRate', blames: 'url-shorten-service' }],
    rootCauseElsewhere:
      "metrics stop one hop short: url-shorten-service's callers fail, but mongod requiring TLS shows in no " +
      'metric (no database request metrics, a rollout rather than a restart); the TLS errors are in the logs',
  },
  {
    kind: 'assign_to_non_existent_node',
    app: 'social-network',
    target: 'user-service',
    namespace: 'social-b',
    expect: [{ component: 'user-service', signal: 'ReplicasShort' }],
    early: true,
  },
];

/** Fault kinds of the catalog no metric can show, with the reason. */
export const NOT_METRIC_VISIBLE: Record<string, string> = {
  noop: 'no fault: nothing to find (the healthy namespace asserts no warning)',
};

/** A namespace without a fault, where nothing may be found. */
export const HEALTHY = { namespace: 'hotel-ok', app: 'hotel-reservation' as const };

/** The namespaces with faults. */
export const NAMESPACES = [...new Set(CASES.map((c) => c.namespace))];

export const appOf = (namespace: string) =>
  namespace === HEALTHY.namespace ? HEALTHY.app : CASES.find((c) => c.namespace === namespace)!.app;

/** The workloads Prometheus scrapes in a namespace: those the findings are about, and the collector. */
export function scrapedIn(namespace: string): string[] {
  if (namespace === HEALTHY.namespace) return ['frontend', 'search', 'geo', 'user'];
  // A workload that runs, beside the one that cannot be scheduled.
  if (namespace === 'social-b') return ['user-service', 'compose-post-service'];
  const named = CASES.filter((c) => c.namespace === namespace).flatMap((c) =>
    c.expect.map((e) => e.component),
  );
  return [...new Set([...named, ...(appOf(namespace) === 'astronomy-shop' ? ['otel-collector'] : [])])];
}

export const caseName = (c: { kind: string; flag?: string }) => `${c.kind}${c.flag ? `:${c.flag}` : ''}`;

/** The request dialects observed one at a time, as the simulator serves them. */
export const DIALECTS = ['otel', 'spanmetrics', 'istio', 'linkerd'] as const;
export type Dialect = (typeof DIALECTS)[number];

const REQUEST_SIGNALS: Record<string, MetricSignal> = {
  ErrorRateHigh: 'errorRatio',
  PeerErrorRate: 'errorRatio',
  LatencyHigh: 'latency',
  PeerLatency: 'latency',
  TrafficSpike: 'traffic',
};
const OTHER_SIGNALS: Record<string, MetricSignal> = {
  CpuHigh: 'cpu',
  MemoryHigh: 'memory',
  RestartsRising: 'restarts',
  ReplicasShort: 'availability',
  PodsWaiting: 'availability',
};

export const signalOf = (finding: string): MetricSignal | undefined =>
  REQUEST_SIGNALS[finding] ?? OTHER_SIGNALS[finding];

/**
 * Whether a request dialect can show a finding. The collector's spanmetrics have no client side (no peer),
 * and cover only the OpenTelemetry demo's instrumented services: kafka is not one, and the DeathStarBench
 * apps run no collector. Findings from cAdvisor and kube-state-metrics are the same under every dialect.
 */
export function applicable(dialect: Dialect, c: MetricCase, e: Expected): boolean {
  if (!(e.signal in REQUEST_SIGNALS) || dialect !== 'spanmetrics') return true;
  return c.app === 'astronomy-shop' && !e.signal.startsWith('Peer') && e.component !== 'kafka';
}

export const isRequestSignal = (signal: string) => signal in REQUEST_SIGNALS;

/**
 * The dialect whose run covers every namespace and every finding: cAdvisor's and kube-state-metrics'
 * findings do not depend on the request dialect, so the other runs observe only the namespaces with
 * request findings applicable to them, and are checked for those (an observation of the simulator's API
 * costs about a second of CPU).
 */
export const FULL_RUN: Dialect = 'otel';

/** The namespaces observed under a dialect, and the findings (keys) expected there. */
export function planFor(dialect: Dialect, healthy: string): { namespaces: string[]; expected: string[] } {
  const expected = CASES.flatMap((c) =>
    c.expect
      .filter((e) => applicable(dialect, c, e) && (dialect === FULL_RUN || isRequestSignal(e.signal)))
      .map((e) => ({ namespace: c.namespace, key: key(c.namespace, e) })),
  );
  const namespaces =
    dialect === FULL_RUN ? [...NAMESPACES, healthy] : [...new Set(expected.map((e) => e.namespace))];
  return { namespaces, expected: expected.map((e) => e.key) };
}

export const key = (namespace: string, e: Expected) =>
  `${namespace}/${e.component}/${e.signal}${e.blames ? `→${e.blames}` : ''}`;

/** What the observer found, keyed like `key`: each peer finding once per component it blames. */
export const foundKeys = (evidence: readonly Evidence[]): string[] =>
  evidence
    .filter((e) => e.source === 'metrics')
    .flatMap((e) =>
      e.blames?.length
        ? e.blames.map((b) =>
            key(e.subject.namespace ?? '', { component: e.component ?? '', signal: e.signal, blames: b }),
          )
        : [key(e.subject.namespace ?? '', { component: e.component ?? '', signal: e.signal })],
    );

/** Who measures each signal, for the table: the request dialect, cAdvisor, or kube-state-metrics. */
const TABLE_SOURCES = [...DIALECTS, 'cadvisor', 'kube-state-metrics'] as const;

/** Whether a source measures a signal, or why not. */
function measures(source: (typeof TABLE_SOURCES)[number], signal: MetricSignal): true | string {
  const name = SIGNAL_NAMES[signal];
  if (source === 'kube-state-metrics' && signal === 'memory')
    return "kube-state-metrics holds memory limits only, which put cAdvisor's working set against its limit";
  const own =
    source === 'cadvisor'
      ? signal === 'cpu' || signal === 'memory'
      : source === 'kube-state-metrics'
        ? signal === 'restarts' || signal === 'availability'
        : signal === 'errorRatio' || signal === 'latency' || signal === 'traffic';
  return own || `${source} does not measure ${name}`;
}

/**
 * One row per dialect × signal: found (with the cases that showed it), not found (a case expected it), or
 * not applicable (the dialect does not measure the signal, or no applicable case exists, with why).
 */
export function dialectTable(seen: ReadonlyMap<Dialect, ReadonlySet<string>>): string[] {
  const rows = ['dialect | signal | against the real Prometheus | cases'];
  for (const source of TABLE_SOURCES)
    for (const signal of Object.keys(SIGNAL_NAMES) as MetricSignal[]) {
      const name = SIGNAL_NAMES[signal];
      const measured = measures(source, signal);
      if (measured !== true) {
        rows.push(`${source} | ${name} | not applicable | ${measured}`);
        continue;
      }
      const dialects = (DIALECTS as readonly string[]).includes(source) ? [source as Dialect] : [FULL_RUN];
      const hits: string[] = [];
      const misses: string[] = [];
      for (const c of CASES)
        for (const e of c.expect) {
          if (signalOf(e.signal) !== signal) continue;
          const wanted = dialects.filter((d) => applicable(d, c, e));
          if (wanted.length === 0) continue;
          const k = key(c.namespace, e);
          if (wanted.every((d) => seen.get(d)?.has(k))) hits.push(`${caseName(c)} ${k}`);
          else misses.push(`${caseName(c)} ${k}`);
        }
      const status = misses.length > 0 ? 'NOT FOUND' : hits.length > 0 ? 'found' : 'not applicable';
      const detail =
        misses.length > 0
          ? `missed: ${misses.join('; ')}`
          : hits.length > 0
            ? `${hits.length}: ${hits.join('; ')}`
            : 'no catalog fault it can show';
      rows.push(`${source} | ${name} | ${status} | ${detail}`);
    }
  return rows;
}
