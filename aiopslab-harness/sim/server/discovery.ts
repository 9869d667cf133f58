import type { JsonObject } from '../api/json.js';
import { RESOURCES, servedGroupVersions } from '../api/resources.js';

export const SERVER_VERSION: JsonObject = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0',
  gitCommit: '7c48c2bd72b9bf5c44d21d7338cc7bea77d0ad2a',
  gitTreeState: 'clean',
  buildDate: '2024-04-17T17:27:03Z',
  goVersion: 'go1.22.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function resourceList(group: string, version: string): JsonObject {
  const resources: JsonObject[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const entry: JsonObject = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames) entry['shortNames'] = r.shortNames;
    if (r.categories) entry['categories'] = r.categories;
    resources.push(entry);
    for (const sub of r.subresources) {
      const subEntry: JsonObject = {
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      };
      if (sub === 'scale') {
        subEntry['group'] = 'autoscaling';
        subEntry['version'] = 'v1';
        subEntry['kind'] = 'Scale';
      }
      if (sub === 'log') subEntry['verbs'] = ['get'];
      resources.push(subEntry);
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** Answers the discovery documents kubectl and the clients read before anything else, or undefined. */
export function discovery(path: string, serverAddress: string): JsonObject | undefined {
  if (path === '/version') return SERVER_VERSION;
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/api/v1') return resourceList('', 'v1');
  const groups = servedGroupVersions().filter((gv) => gv.group !== '');
  const groupDoc = (group: string): JsonObject => {
    const versions = groups
      .filter((g) => g.group === group)
      .map((g) => ({ groupVersion: `${g.group}/${g.version}`, version: g.version }));
    return { name: group, versions, preferredVersion: versions[0] ?? null };
  };
  if (path === '/apis') {
    const names = [...new Set(groups.map((g) => g.group))];
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map(groupDoc) };
  }
  const match = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (match) {
    const [, group, version] = match;
    if (!groups.some((g) => g.group === group)) return undefined;
    if (!version) return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group!) };
    if (!groups.some((g) => g.group === group && g.version === version)) return undefined;
    return resourceList(group!, version);
  }
  return undefined;
}
