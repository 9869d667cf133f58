/** The resource kinds the simulated API server serves, as data: routing, discovery and RBAC read this table. */
export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served under the resource, e.g. 'status', 'scale', 'log'. */
  subresources: string[];
  /** Whether list/get may carry `watch=true`. */
  watchable: boolean;
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    verbs: allVerbs,
    subresources: [],
    watchable: true,
    ...extra,
  };
}

function apps(plural: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return grouped('apps', 'v1', plural, kind, { subresources: ['status', 'scale'], ...extra });
}

function grouped(
  group: string,
  version: string,
  plural: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    verbs: allVerbs,
    subresources: ['status'],
    watchable: true,
    ...extra,
  };
}

export const RESOURCES: readonly ResourceType[] = [
  core('namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status'],
  }),
  core('nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  core('pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'log'] }),
  core('services', 'Service', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  core('endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  core('configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  core('secrets', 'Secret', true),
  core('events', 'Event', true, { shortNames: ['ev'] }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  core('persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  apps('deployments', 'Deployment', { shortNames: ['deploy'], categories: ['all'] }),
  apps('replicasets', 'ReplicaSet', { shortNames: ['rs'], categories: ['all'] }),
  apps('statefulsets', 'StatefulSet', { shortNames: ['sts'], categories: ['all'] }),
  core('resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  core('limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  grouped('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    shortNames: ['hpa'],
    categories: ['all'],
  }),
  grouped('batch', 'v1', 'jobs', 'Job', { categories: ['all'] }),
  grouped('batch', 'v1', 'cronjobs', 'CronJob', { shortNames: ['cj'], categories: ['all'] }),
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKind(kind: string): ResourceType {
  const found = RESOURCES.find((r) => r.kind === kind);
  if (!found) throw new Error(`no resource type for kind ${kind}`);
  return found;
}

/** The group/version pairs served, core first. */
export function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
