/**
 * An allow-list classifier for the argv of a `kubectl` action (the arguments after "kubectl"). Anything not
 * listed is refused: unknown verbs and flags, credential or cluster overrides, stdin, NUL bytes.
 */

export type KubectlClassification =
  | {
      ok: true;
      /** "get", "patch", "rollout restart", "set image", … */
      verb: string;
      /** Canonical resource ("pod", "deployment", "configmap", "persistentvolume", …), if named. */
      resource: string | undefined;
      names: string[];
      namespace: string | undefined;
      write: boolean;
    }
  | { ok: false; reason: string };

const RESOURCE_ALIASES: Record<string, string> = {
  po: 'pod',
  pod: 'pod',
  pods: 'pod',
  deploy: 'deployment',
  deployment: 'deployment',
  deployments: 'deployment',
  'deployment.apps': 'deployment',
  svc: 'service',
  service: 'service',
  services: 'service',
  cm: 'configmap',
  configmap: 'configmap',
  configmaps: 'configmap',
  pv: 'persistentvolume',
  persistentvolume: 'persistentvolume',
  persistentvolumes: 'persistentvolume',
  pvc: 'persistentvolumeclaim',
  persistentvolumeclaim: 'persistentvolumeclaim',
  persistentvolumeclaims: 'persistentvolumeclaim',
  rs: 'replicaset',
  replicaset: 'replicaset',
  replicasets: 'replicaset',
  sts: 'statefulset',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  ev: 'event',
  event: 'event',
  events: 'event',
  no: 'node',
  node: 'node',
  nodes: 'node',
  ns: 'namespace',
  namespace: 'namespace',
  namespaces: 'namespace',
  ep: 'endpoints',
  endpoints: 'endpoints',
};

/** Canonical resource name for an alias ("cm" → "configmap"); unknown names pass through. */
export function canonicalResource(name: string): string {
  return RESOURCE_ALIASES[name.toLowerCase()] ?? name.toLowerCase();
}

interface VerbSpec {
  write: boolean;
  /** Flags taking a value, beyond the common ones. */
  valued?: string[];
  /** Flags without a value, beyond the common ones. */
  boolean?: string[];
  /** Resources a write may touch; omitted means any (the server's RBAC still applies). */
  resources?: string[];
}

const VERBS: Record<string, VerbSpec> = {
  get: { write: false, boolean: ['-A', '--all-namespaces', '--show-labels', '--no-headers'] },
  describe: { write: false, boolean: ['-A', '--all-namespaces'] },
  logs: {
    write: false,
    valued: ['-c', '--container', '--tail', '--since', '--limit-bytes'],
    boolean: ['-p', '--previous', '--timestamps'],
  },
  'rollout status': { write: false, valued: ['--timeout'] },
  'rollout history': { write: false, valued: ['--revision'] },
  patch: { write: true, valued: ['--type', '-p', '--patch'] },
  scale: { write: true, valued: ['--replicas', '--current-replicas'] },
  'rollout restart': { write: true, resources: ['deployment', 'statefulset'] },
  'rollout undo': { write: true, valued: ['--to-revision'], resources: ['deployment', 'statefulset'] },
  'set image': { write: true, valued: ['-c', '--containers'], resources: ['deployment', 'statefulset'] },
  'set env': {
    write: true,
    valued: ['-c', '--containers', '-e', '--env'],
    resources: ['deployment', 'statefulset'],
  },
  delete: { write: true, valued: ['--grace-period'], boolean: ['--wait'], resources: ['pod'] },
  label: { write: true, boolean: ['--overwrite'] },
  annotate: { write: true, boolean: ['--overwrite'] },
};

const COMMON_VALUED = ['-n', '--namespace', '-o', '--output', '-l', '--selector', '--field-selector'];
const NAMES_ONLY = new Set(['delete', 'patch', 'scale', 'rollout restart', 'rollout undo']);
const SELECTORS = new Set(['-l', '--selector', '--field-selector']);
const TWO_WORD = new Set(['rollout', 'set']);
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** An object name a write may target: a DNS subdomain, so no globs, shell text or paths. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** The characters of an image reference (registry[:port]/path[:tag][@digest]); shell text never fits. */
export const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,511}$/;
export const MAX_ARGV_ITEMS = 64;
export const MAX_ARGV_CHARS = 128 * 1024;
/** Never read (credentials). */
const SECRET_RESOURCES = new Set(['secret']);
/** Never written: namespaces, nodes, identities and permissions, cluster extensions. */
const UNWRITABLE_RESOURCES = new Set([
  'secret',
  'namespace',
  'node',
  'serviceaccount',
  'role',
  'rolebinding',
  'clusterrole',
  'clusterrolebinding',
  'customresourcedefinition',
  'mutatingwebhookconfiguration',
  'validatingwebhookconfiguration',
  'validatingadmissionpolicy',
  'validatingadmissionpolicybinding',
  'certificatesigningrequest',
  'priorityclass',
  'storageclass',
  'apiservice',
]);
/**
 * The only kinds a kubectl write may touch: namespaced ones, whose `-n` really scopes the write. A write to a
 * cluster-scoped object (a PersistentVolume, a node…) ignores `-n`, so a namespace rule could never contain
 * it; such writes are refused here (a Released PersistentVolume has its own typed action, releaseVolume).
 */
const NAMESPACED_WRITABLE = new Set([
  'pod',
  'deployment',
  'service',
  'configmap',
  'persistentvolumeclaim',
  'replicaset',
  'statefulset',
  'endpoints',
  'event',
]);
const SHORT_NAMES: Record<string, string> = {
  sa: 'serviceaccount',
  crd: 'customresourcedefinition',
  crds: 'customresourcedefinition',
  csr: 'certificatesigningrequest',
  pc: 'priorityclass',
  sc: 'storageclass',
};

/** "clusterrolebindings.rbac.authorization.k8s.io" → "clusterrolebinding", for the deny lists only. */
function kindOf(resource: string): string {
  const canonical = canonicalResource(resource);
  const base = canonical.split('.')[0] ?? canonical;
  const short = SHORT_NAMES[base] ?? canonicalResource(base);
  if (short === 'endpoints' || short.endsWith('ss')) return short;
  if (short.endsWith('sses')) return short.slice(0, -2);
  if (short.endsWith('ies')) return `${short.slice(0, -3)}y`;
  return short.endsWith('s') ? short.slice(0, -1) : short;
}

export function classifyKubectlArgv(argv: readonly string[]): KubectlClassification {
  if (argv.length === 0) return refuse('empty argv');
  if (argv.some((a) => a.includes('\0'))) return refuse('an argument contains NUL');
  if (argv.length > MAX_ARGV_ITEMS) return refuse(`more than ${MAX_ARGV_ITEMS} arguments`);
  if (argv.reduce((n, a) => n + a.length, 0) > MAX_ARGV_CHARS)
    return refuse(`arguments longer than ${MAX_ARGV_CHARS} characters in all`);
  const first = argv[0]!;
  const verb = TWO_WORD.has(first) && argv[1] !== undefined ? `${first} ${argv[1]}` : first;
  const spec = VERBS[verb];
  if (!spec) return refuse(`verb "${verb}" is not allowed`);
  const valued = new Set([...COMMON_VALUED, ...(spec.valued ?? [])]);
  const booleans = new Set(spec.boolean ?? []);
  const positionals: string[] = [];
  let namespace: string | undefined;
  let allNamespaces = false;
  let selector = false;
  for (let i = verb.split(' ').length; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      if (arg === '-') return refuse('reading from stdin ("-") is not allowed');
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (booleans.has(flag)) {
      if (flag === '-A' || flag === '--all-namespaces') allNamespaces = true;
      continue;
    }
    if (!valued.has(flag)) return refuse(`flag "${flag}" is not allowed for "${verb}"`);
    const value = flag !== arg ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return refuse(`flag "${flag}" needs a value`);
    if (SELECTORS.has(flag)) selector = true;
    if ((flag === '--replicas' || flag === '--current-replicas') && !/^\d{1,9}$/.test(value))
      return refuse(`${flag} "${value}" is not a replica count`);
    if (flag === '-n' || flag === '--namespace') {
      if (!NAMESPACE.test(value)) return refuse(`"${value}" is not a namespace name`);
      if (namespace !== undefined && namespace !== value) return refuse('two different namespaces');
      namespace = value;
    }
  }
  const target = splitTarget(positionals);
  if (!target.ok) return refuse(target.reason);
  if (target.resource !== undefined && SECRET_RESOURCES.has(kindOf(target.resource)))
    return refuse(`"${target.resource}" may not be read or written`);
  if (spec.write) {
    if (allNamespaces) return refuse('a write may not use --all-namespaces');
    if (selector) return refuse('a write may not select objects by label or field; name them');
    if (target.resource !== undefined && target.resource.includes(','))
      return refuse('a write may touch one resource type');
    if (target.resource !== undefined && UNWRITABLE_RESOURCES.has(kindOf(target.resource)))
      return refuse(`"${verb}" may not touch ${target.resource}`);
    if (target.resource !== undefined && !NAMESPACED_WRITABLE.has(kindOf(target.resource)))
      return refuse(
        kindOf(target.resource) === 'persistentvolume'
          ? `"${target.resource}" is cluster-scoped, so -n cannot scope the write; use the releaseVolume action`
          : `"${verb}" may only touch namespaced ${[...NAMESPACED_WRITABLE].join(', ')} (not ${target.resource})`,
      );
    // For these verbs every positional is an object; KEY=value items belong to label, annotate and set.
    const items = NAMES_ONLY.has(verb)
      ? positionals.slice(positionals[0]?.includes('/') ? 0 : 1).map(nameAfterSlash)
      : target.names;
    const badName = items.find((n) => !OBJECT_NAME.test(n) || n.length > 253);
    if (badName !== undefined) return refuse(`"${badName}" is not an object name`);
    if (verb === 'set image') {
      const badImage = positionals
        .filter((p) => p.includes('='))
        .map((p) => p.slice(p.indexOf('=') + 1))
        .find((image) => !IMAGE_REFERENCE.test(image));
      if (badImage !== undefined) return refuse(`"${badImage}" is not an image reference`);
    }
    if (namespace === undefined) return refuse(`"${verb}" needs an explicit -n NAMESPACE`);
    if (target.resource === undefined) return refuse(`"${verb}" needs a resource`);
    if (spec.resources && !spec.resources.includes(target.resource))
      return refuse(`"${verb}" may only touch ${spec.resources.join(', ')}`);
    if (target.names.length === 0) return refuse(`"${verb}" needs an object name`);
  }
  return { ok: true, verb, resource: target.resource, names: target.names, namespace, write: spec.write };
}

type Target = { ok: true; resource: string | undefined; names: string[] } | { ok: false; reason: string };

/**
 * `deployment/web`, `deployment web`, `pods a b`; KEY=value items (set env, label) are not names. Every
 * `type/name` item must name the same type: `delete pod/a deployment/b` would delete a Deployment as a pod.
 */
function splitTarget(positionals: string[]): Target {
  const [head, ...rest] = positionals;
  if (head === undefined) return { ok: true, resource: undefined, names: [] };
  const slash = head.indexOf('/');
  if (slash !== -1) {
    const resource = canonicalResource(head.slice(0, slash));
    const more = rest.filter((p) => p.includes('/') && !p.includes('='));
    const other = more.find((p) => canonicalResource(p.slice(0, p.indexOf('/'))) !== resource);
    if (other !== undefined) return { ok: false, reason: `"${other}" is not a ${resource}` };
    return { ok: true, resource, names: [head.slice(slash + 1), ...more.map(nameAfterSlash)] };
  }
  return { ok: true, resource: canonicalResource(head), names: rest.filter((p) => !/[=:]/.test(p)) };
}

function nameAfterSlash(p: string): string {
  return p.slice(p.indexOf('/') + 1);
}

function refuse(reason: string): KubectlClassification {
  return { ok: false, reason };
}
