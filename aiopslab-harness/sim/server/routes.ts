import type { ResourceType } from '../api/resources.js';
import { findResource } from '../api/resources.js';

export type Route =
  | { kind: 'discovery'; path: string }
  | {
      kind: 'resource';
      type: ResourceType;
      /** Namespace from the path; undefined for cluster-scoped or all-namespaces requests. */
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'unknown-resource'; group: string; version: string; plural: string }
  | { kind: 'not-found' };

const DISCOVERY = /^\/(version|api|apis|openapi\/v2|openapi\/v3)(\/[^/]+)?(\/[^/]+)?\/?$/;

/** Maps a Kubernetes REST path onto a resource, namespace, name and subresource. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else if (DISCOVERY.test(pathname)) {
    return { kind: 'discovery', path: pathname.replace(/\/$/, '') };
  } else {
    return { kind: 'not-found' };
  }
  if (rest.length === 0) return { kind: 'discovery', path: pathname.replace(/\/$/, '') };
  let namespace: string | undefined;
  // /namespaces/{ns}/{plural}/... addresses a namespaced resource; /namespaces/{name}[/status] the Namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || extra.length > 0) return { kind: 'not-found' };
  const type = findResource(group, version, plural);
  if (!type) return { kind: 'unknown-resource', group, version, plural };
  if (namespace !== undefined && !type.namespaced) return { kind: 'not-found' };
  if (subresource && !type.subresources.includes(subresource)) return { kind: 'not-found' };
  const route: Route = { kind: 'resource', type };
  if (namespace !== undefined) route.namespace = namespace;
  if (name !== undefined) route.name = name;
  if (subresource !== undefined) route.subresource = subresource;
  return route;
}
