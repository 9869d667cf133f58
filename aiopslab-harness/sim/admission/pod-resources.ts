/**
 * What a pod asks for, as the admission plugins read it: each container's requests and limits after the API
 * server's defaulting (a limit with no request sets the request to the limit: SetDefaults_Pod in
 * pkg/apis/core/v1/defaults.go, which runs when the object is decoded, before admission).
 */
import type { Container, Pod } from '../model.js';
import type { Quantity } from './quantity.js';
import { addQuantity, parseQuantity } from './quantity.js';

export type ResourceList = Record<string, Quantity>;

export interface ContainerResources {
  name: string;
  requests: ResourceList;
  limits: ResourceList;
}

function listOf(map: Record<string, string> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    const q = parseQuantity(v);
    if (q) out[k] = q;
  }
  return out;
}

export function containerResources(c: Container): ContainerResources {
  const limits = listOf(c.resources?.limits);
  const requests = listOf(c.resources?.requests);
  for (const [k, v] of Object.entries(limits)) requests[k] ??= { ...v };
  return { name: c.name, requests, limits };
}

/** Every container's view; `init` marks init containers (they count as their maximum, not their sum). */
export function podContainers(pod: Pod): { main: ContainerResources[]; init: ContainerResources[] } {
  return {
    main: pod.spec.containers.map(containerResources),
    init: (pod.spec.initContainers ?? []).map(containerResources),
  };
}

/** Sum over app containers, then the larger of that and each init container (pkg/api/v1/resource PodRequests). */
export function podTotal(pod: Pod, pick: (c: ContainerResources) => ResourceList): ResourceList {
  const { main, init } = podContainers(pod);
  const total: ResourceList = {};
  for (const c of main) for (const [k, v] of Object.entries(pick(c))) total[k] = addQuantity(total[k], v);
  for (const c of init)
    for (const [k, v] of Object.entries(pick(c)))
      if (!total[k] || v.milli > total[k].milli) total[k] = { ...v };
  return total;
}
