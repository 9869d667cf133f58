/**
 * `aoi rbac`: the two credentials DESIGN.md asks for, as RBAC manifests. The observer reads (get/list/watch,
 * never secrets); the executor may change only what the action catalog changes, each verb traced to an action.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];

/** Namespaced reads: workloads, their pods and logs, services, config, events. No secrets. */
export const OBSERVER_NAMESPACED: Rule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'services',
      'endpoints',
      'events',
      'configmaps',
      'persistentvolumeclaims',
      'replicationcontrollers',
      // Admission refusals: a quota or a limit range is why a ReplicaSet cannot create its pods.
      'resourcequotas',
      'limitranges',
    ],
    verbs: READ,
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
    verbs: READ,
  },
  // Prometheus and Jaeger found in the cluster are read through the API server's service proxy: GET only.
  { apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
];

/**
 * Opt-in (`--certificates`): listing Secrets, so the expiry of TLS certificates pods mount can be checked.
 * RBAC cannot narrow a grant to `kubernetes.io/tls` Secrets, so this is a choice the cluster's owner makes; the
 * observer asks only for that type (a field selector) and keeps only each certificate's public dates and names.
 */
export const OBSERVER_CERTIFICATES: Rule = { apiGroups: [''], resources: ['secrets'], verbs: ['list'] };

/** Cluster-scoped reads: where pods run and what volumes exist. */
export const OBSERVER_CLUSTER: Rule[] = [
  { apiGroups: [''], resources: ['nodes', 'namespaces', 'persistentvolumes'], verbs: READ },
];

/** Namespaced writes, each for an action: scale, restart, set image/env/command, node selector, rollback, deletePod, patchService, setConfigValue. */
export const EXECUTOR_NAMESPACED: Rule[] = [
  // Pre-images, dry runs and verification read the objects they change.
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments/scale', 'statefulsets/scale'],
    verbs: ['get', 'patch', 'update'],
  },
  // rollbackDeployment finds the previous revision among the ReplicaSets (StatefulSets: ControllerRevisions).
  { apiGroups: ['apps'], resources: ['replicasets', 'controllerrevisions'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'patch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] },
];

/** releaseVolume clears a released PersistentVolume's claimRef: cluster-scoped, so a ClusterRole. */
export const EXECUTOR_CLUSTER: Rule[] = [
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'patch'] },
];

export interface RbacOptions {
  /** Scope the observer's namespaced reads (and the executor) to this namespace; absent: cluster-wide reads. */
  namespace?: string;
  /** Where the two ServiceAccounts live. */
  serviceAccountNamespace: string;
  /** Let the observer list Secrets, for TLS certificate expiry (OBSERVER_CERTIFICATES). */
  certificates?: boolean;
}

const LABELS = { 'app.kubernetes.io/name': 'aoi', 'app.kubernetes.io/managed-by': 'aoi-rbac' };

function meta(name: string, namespace?: string) {
  return { name, ...(namespace === undefined ? {} : { namespace }), labels: LABELS };
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleKind: string,
  sa: string,
  options: RbacOptions,
  namespace?: string,
) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(name, namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: options.serviceAccountNamespace }],
  };
}

function role(kind: 'Role' | 'ClusterRole', name: string, rules: Rule[], namespace?: string) {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: meta(name, namespace), rules };
}

const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Every manifest, in apply order. */
export function rbacManifests(options: RbacOptions): object[] {
  const ns = options.namespace;
  const observerNamespaced = options.certificates
    ? [...OBSERVER_NAMESPACED, OBSERVER_CERTIFICATES]
    : OBSERVER_NAMESPACED;
  const executorNs = ns ?? 'default';
  const sa = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(name, options.serviceAccountNamespace),
  });
  // The accounts' namespace first, so `kubectl apply -f -` on a fresh cluster does not fail on the accounts.
  const docs: object[] = BUILT_IN_NAMESPACES.has(options.serviceAccountNamespace)
    ? []
    : [{ apiVersion: 'v1', kind: 'Namespace', metadata: meta(options.serviceAccountNamespace) }];
  docs.push(sa('aoi-observer'), sa('aoi-executor'));
  if (ns === undefined) {
    docs.push(role('ClusterRole', 'aoi-observer', [...observerNamespaced, ...OBSERVER_CLUSTER]));
    docs.push(binding('ClusterRoleBinding', 'aoi-observer', 'ClusterRole', 'aoi-observer', options));
  } else {
    docs.push(role('Role', 'aoi-observer', observerNamespaced, ns));
    docs.push(binding('RoleBinding', 'aoi-observer', 'Role', 'aoi-observer', options, ns));
    docs.push(role('ClusterRole', 'aoi-observer-cluster', OBSERVER_CLUSTER));
    docs.push(binding('ClusterRoleBinding', 'aoi-observer-cluster', 'ClusterRole', 'aoi-observer', options));
  }
  docs.push(role('Role', 'aoi-executor', EXECUTOR_NAMESPACED, executorNs));
  docs.push(binding('RoleBinding', 'aoi-executor', 'Role', 'aoi-executor', options, executorNs));
  docs.push(role('ClusterRole', 'aoi-executor-volumes', EXECUTOR_CLUSTER));
  docs.push(binding('ClusterRoleBinding', 'aoi-executor-volumes', 'ClusterRole', 'aoi-executor', options));
  return docs;
}

export async function renderRbac(options: RbacOptions): Promise<string> {
  const { stringify } = await import('yaml');
  const header = [
    '# aoi RBAC: a read-only observer and a narrow executor (apply with kubectl apply -f -).',
    `# observer: ${options.namespace === undefined ? 'cluster-wide reads' : `reads in ${options.namespace}`} (${options.certificates ? 'lists Secrets, for TLS certificate expiry only' : 'no secrets'}); executor: writes in ${options.namespace ?? 'default'} only.`,
  ].join('\n');
  return `${header}\n${rbacManifests(options)
    // Rules share their verb lists; spelled out each time, since anchors and aliases confuse readers and tools.
    .map((doc) => `---\n${stringify(doc, { aliasDuplicateObjects: false })}`)
    .join('')}`;
}

export function registerRbac(program: Command, io: CliIO): void {
  program
    .command('rbac')
    .description("Print the observer's read-only and the executor's narrow write RBAC manifests")
    .option(
      '-n, --namespace <name>',
      'namespace the executor may change (and the observer reads); default: observer cluster-wide, executor in default',
    )
    .option(
      '--service-account-namespace <name>',
      'namespace of the aoi-observer and aoi-executor ServiceAccounts',
      'aoi',
    )
    .option(
      '--certificates',
      'let the observer list Secrets so it can check the expiry of mounted TLS certificates (RBAC cannot narrow this to TLS Secrets)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  aoi rbac -n shop | kubectl apply -f -',
        '  aoi rbac --service-account-namespace ops > aoi-rbac.yaml',
        '  aoi rbac -n shop --certificates | kubectl apply -f -',
        '',
      ].join('\n'),
    )
    .action(
      async (options: { namespace?: string; serviceAccountNamespace: string; certificates?: boolean }) => {
        io.stdout.write(
          await renderRbac({
            ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
            serviceAccountNamespace: options.serviceAccountNamespace,
            ...(options.certificates ? { certificates: true } : {}),
          }),
        );
      },
    );
}
