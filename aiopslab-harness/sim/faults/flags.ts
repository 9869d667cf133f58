/**
 * astronomy-shop's feature flags: flagd serves them from ConfigMap `flagd-config`, key `demo.flagd.json`
 * (`{"flags": {"<name>": {"state", "variants", "defaultVariant"}}}`). The services ask flagd and misbehave
 * when a flag's current variant is on; FLAG_EFFECTS says how each does, for the health model. (flagd
 * watches the file, so a changed ConfigMap takes effect without a restart; AIOpsLab restarts flagd anyway.)
 */
import type { SimWorld } from '../runtime.js';
import { R } from './topology.js';
import { FLAGD_CONFIGMAP, FLAGD_CONFIG_KEY as FLAGD_KEY } from '../apps/astronomy-shop.js';

export { FLAGD_CONFIGMAP, FLAGD_KEY };

export interface FlagDefinition {
  description?: string;
  state?: string;
  variants: Record<string, boolean | number | string>;
  defaultVariant: string;
  targeting?: unknown;
}

/** The flags as flagd currently serves them, or undefined when the namespace has no flagd-config. */
export function readFlags(world: SimWorld, namespace: string): Record<string, FlagDefinition> | undefined {
  const cm = world.store.peek(R.configmaps, namespace, FLAGD_CONFIGMAP);
  const text = (cm?.['data'] as Record<string, string> | undefined)?.[FLAGD_KEY];
  if (!text) return undefined;
  try {
    return (JSON.parse(text) as { flags?: Record<string, FlagDefinition> }).flags;
  } catch {
    return undefined;
  }
}

/** A flag's current value as a number (true → 1, off/false/absent → 0). */
export function flagLevel(flags: Record<string, FlagDefinition> | undefined, name: string): number {
  const flag = flags?.[name];
  if (!flag || (flag.state ?? 'ENABLED') !== 'ENABLED') return 0;
  const value = flag.variants[flag.defaultVariant];
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return value === undefined || value === 'off' ? 0 : 1;
}

/** What a flag does to a component (and its callers' calls into it) at a given level. */
export interface FlagEffect {
  component: string;
  /** Only calls from these callers are affected (all when absent). */
  callers?: string[];
  /** Fraction of affected calls that fail, and the error the caller gets. */
  errorRate?: number;
  error?: string;
  /** What the component itself logs when it fails a call (only those of `callers`, when set). */
  log?: string;
  /** The caller cannot even reach it (paymentUnreachable dials a bad address). */
  dialError?: string;
  latencyMs?: number;
  /** Multipliers on the component's CPU, memory and request rate (1 = normal). */
  cpu?: number;
  memory?: number;
  requests?: number;
}

type EffectOf = (level: number) => FlagEffect[];

export const FLAG_EFFECTS: Record<string, EffectOf> = {
  adFailure: () => [
    {
      component: 'ad',
      errorRate: 0.1,
      error: 'rpc error: code = Unavailable desc = ',
      log: '{time} ERROR oteldemo.AdService - GetAds Failed with status Status{code=UNAVAILABLE, description=null, cause=null}',
    },
  ],
  adHighCpu: () => [{ component: 'ad', cpu: 8, latencyMs: 300 }],
  adManualGc: () => [
    {
      component: 'ad',
      cpu: 2,
      latencyMs: 800,
      log: '{time} INFO oteldemo.problempattern.GarbageCollectionTrigger - The artificially triggered GCs took: 812 ms',
    },
  ],
  cartFailure: () => [
    {
      component: 'cart',
      callers: ['checkout'],
      errorRate: 1,
      error:
        "rpc error: code = FailedPrecondition desc = Can't access cart storage. System.ApplicationException: Wasn't able to connect to redis",
      // .NET's console logger: the level word and category on one line, the message indented below.
      log: "fail: cart.cartstore.ValkeyCartStore[0]\n      Wasn't able to connect to redis",
    },
  ],
  // AIOpsLab's deployment serves product images through the frontend (its answer is `frontend`): the
  // frontend answers slowly, frontend-proxy waits on it, image-provider itself stays fast.
  imageSlowLoad: (level) => [{ component: 'frontend', latencyMs: level }],
  // The producer floods the topic (broker CPU and request rate up); the consumers fall behind (lag).
  kafkaQueueProblems: (level) => [
    { component: 'kafka', cpu: 6, requests: Math.max(1, level / 10) },
    { component: 'kafka', callers: ['accounting', 'fraud-detection'], latencyMs: 5000 },
  ],
  loadGeneratorFloodHomepage: (level) => [
    { component: 'frontend', requests: Math.max(1, level / 10), cpu: 4, latencyMs: 200 },
  ],
  paymentFailure: (level) => [
    {
      component: 'payment',
      errorRate: level,
      error: 'rpc error: code = Unknown desc = Payment request failed. Invalid token. app.loyalty.level=gold',
      log: '{"level":"error","time":"{time}","msg":"Payment request failed. Invalid token. app.loyalty.level=gold","service":"payment"}',
    },
  ],
  paymentUnreachable: () => [
    {
      component: 'payment',
      callers: ['checkout'],
      dialError:
        'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp: lookup badAddress on 10.96.0.10:53: no such host"',
    },
  ],
  productCatalogFailure: () => [
    {
      component: 'product-catalog',
      errorRate: 0.1,
      error: 'rpc error: code = Internal desc = Error: Product Catalog Fail Feature Flag Enabled',
      log: '{time} ERROR product-catalog: GetProduct OLJCESPC7Z: Product Catalog Fail Feature Flag Enabled',
    },
  ],
  // The cache never evicts: the working set grows towards the limit and lookups slow down.
  recommendationCacheFailure: () => [{ component: 'recommendation', memory: 4, cpu: 2, latencyMs: 400 }],
  emailMemoryLeak: (level) => [{ component: 'email', memory: 1 + Math.log10(1 + level), latencyMs: 20 }],
};

/** Every effect of the flags now on in a namespace. */
export function activeFlagEffects(world: SimWorld, namespace: string): FlagEffect[] {
  const flags = readFlags(world, namespace);
  if (!flags) return [];
  const out: FlagEffect[] = [];
  for (const [name, effectOf] of Object.entries(FLAG_EFFECTS)) {
    const level = flagLevel(flags, name);
    if (level > 0) out.push(...effectOf(level));
  }
  return out;
}
