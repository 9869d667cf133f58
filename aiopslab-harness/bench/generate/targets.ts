/**
 * Where each fault kind applies in an app, read from the simulator's app definitions: a fault is offered on a
 * component only when injecting it there changes what the app does (tests/bench/generate.test.ts proves it
 * for every choice through the health model, and that the fix clears it).
 */
import type { AppSpec, ComponentSpec } from '../../sim/apps/types.js';
import type { FaultKind } from '../problem.js';

/** One way to inject a kind: its target (none for namespace-wide kinds) and injector params. */
export interface FaultChoice {
  target?: string;
  params: Record<string, string>;
}

/**
 * The feature flags AIOpsLab's astronomy-shop problems turn on, with the component its answer names (its
 * registry's `faulty_service`; paymentUnreachable is answered `checkout`, whose calls fail).
 */
export const FLAG_TARGETS: Readonly<Record<string, string>> = {
  adFailure: 'ad',
  adHighCpu: 'ad',
  adManualGc: 'ad',
  cartFailure: 'cart',
  imageSlowLoad: 'frontend',
  kafkaQueueProblems: 'kafka',
  loadGeneratorFloodHomepage: 'frontend',
  paymentFailure: 'payment',
  paymentUnreachable: 'checkout',
  productCatalogFailure: 'product-catalog',
  recommendationCacheFailure: 'recommendation',
};

/** AIOpsLab ships a misconfigured image only for geo (its k8s.ts injector knows it). */
const MISCONFIGURED_IMAGES = new Set(['geo']);

const isMongo = (c: ComponentSpec) => c.role === 'database' && c.image.startsWith('mongo:');
const callersOf = (app: AppSpec, name: string) => app.components.filter((c) => c.calls.includes(name));
const hasCallers = (app: AppSpec, c: ComponentSpec) => callersOf(app, c.name).length > 0;
/** Components the app's own traffic goes through (not the tracing, registry or telemetry plumbing). */
const workloads = (app: AppSpec) => app.components.filter((c) => c.role !== 'infra');
const deployments = (app: AppSpec) => workloads(app).filter((c) => c.workload === 'Deployment');

/**
 * Another binary in the same image, listening on another port: what a wrong_bin_usage fault runs instead of the
 * target's own (the next one in the app's order, so each target has one). None: the fault cannot be made.
 */
function siblingBinary(app: AppSpec, target: ComponentSpec): string | undefined {
  const own = target.command?.[0];
  if (!own || target.command?.length !== 1) return undefined;
  const siblings = app.components.filter(
    (c) =>
      c.image === target.image &&
      c.command?.length === 1 &&
      c.command[0] !== own &&
      // One on the target's own port would answer its callers' connections: the simulator models a wrong
      // binary by the port it listens on (callers refused), not by the methods it serves.
      c.ports.every((p) => !target.ports.some((t) => t.containerPort === p.containerPort)),
  );
  const after = siblings.find((c) => app.components.indexOf(c) > app.components.indexOf(target));
  return (after ?? siblings[0])?.command?.[0];
}

const on = (cs: ComponentSpec[]): FaultChoice[] => cs.map((c) => ({ target: c.name, params: {} }));
const served = (app: AppSpec) =>
  on(workloads(app).filter((c) => hasCallers(app, c) || c.role === 'frontend'));
const authMongos = (app: AppSpec) =>
  // The clients log in as a user only where mongod runs with access control.
  on(app.components.filter((c) => isMongo(c) && c.args?.includes('--auth') && hasCallers(app, c)));
const servedDeployments = (app: AppSpec) =>
  on(deployments(app).filter((c) => hasCallers(app, c) || c.role === 'frontend'));

/** AIOpsLab's kinds; a kind outside its registry has no AIOpsLab answer to generate from. */
const CHOICES: Partial<Record<FaultKind, (app: AppSpec) => FaultChoice[]>> = {
  noop: () => [{ params: {} }],
  // Only volumes that outlive the namespace lose their claims.
  redeploy_without_pv: (app) => (app.components.some((c) => c.storage) ? [{ params: {} }] : []),
  misconfig_k8s_target_port: (app) =>
    on(workloads(app).filter((c) => c.role !== 'database' && c.ports.length > 0 && hasCallers(app, c))),
  auth_miss_mongodb: (app) => on(app.components.filter((c) => isMongo(c) && hasCallers(app, c))),
  revoke_auth_mongodb: authMongos,
  user_unregistered_mongodb: authMongos,
  misconfig_app: (app) => on(app.components.filter((c) => MISCONFIGURED_IMAGES.has(c.name))),
  scale_pods_to_zero: servedDeployments,
  assign_to_non_existent_node: servedDeployments,
  wrong_bin_usage: (app) =>
    deployments(app).flatMap((c) => {
      const binary = siblingBinary(app, c);
      return binary ? [{ target: c.name, params: { binary } }] : [];
    }),
  container_kill: served,
  pod_failure: served,
  pod_kill: served,
  network_loss: served,
  network_delay: served,
  feature_flag: (app) =>
    app.name === 'astronomy-shop'
      ? Object.entries(FLAG_TARGETS).map(([flag, target]) => ({ target, params: { flag } }))
      : [],
};

/**
 * Whether the component mounts a ConfigMap script that creates the database users (AIOpsLab's
 * mongo-<owner>-script): the mechanism that lets a restart undo a revoked role or a dropped user. Without it
 * only a person re-granting the role fixes the fault, so no mitigation task is posed for it.
 */
export function hasUserInitScript(app: AppSpec, name: string): boolean {
  const component = app.components.find((c) => c.name === name);
  return (component?.configMapMounts ?? []).some((mount) =>
    Object.entries(app.configMaps?.find((cm) => cm.name === mount.configMap)?.data ?? {}).some(
      ([key, text]) => /\.(sh|js)$/.test(key) && /createUser/.test(text),
    ),
  );
}

/**
 * Every (target, params) where `kind` makes a fault in `app`, in the app's component order. Empty means the
 * kind makes no fault in this app (e.g. revoke_auth where MongoDB runs without access control).
 */
export function faultChoices(app: AppSpec, kind: FaultKind): FaultChoice[] {
  return CHOICES[kind]?.(app) ?? [];
}
