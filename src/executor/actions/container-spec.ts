/**
 * Changes to one container of a Deployment's pod template: its resources (limits, requests) and its probes.
 * Each is a JSON patch guarded by a "test" of the container's name, so a container list that changed
 * between the read and the write makes the patch fail instead of editing another container.
 */
import type { V1Container, V1Deployment, V1Probe, V1ResourceRequirements } from '@kubernetes/client-node';
import type { ActionProposal } from '../../core/actions.js';
import type { HandlerFor } from './types.js';
import { containerNamed, deploymentHandler } from './deployment-base.js';
import { plain } from './workload.js';

type SetResources = Extract<ActionProposal, { kind: 'setResources' }>;
type SetProbe = Extract<ActionProposal, { kind: 'setProbe' }>;

const PROBE_FIELD = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
} as const;

function resourcesAfter(current: V1ResourceRequirements | undefined, a: SetResources) {
  const limits = { ...(current?.limits ?? {}), ...(a.limits ?? {}) };
  const requests = { ...(current?.requests ?? {}), ...(a.requests ?? {}) };
  return {
    ...(current ? plain(current) : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
  };
}

export const setResources: HandlerFor<'setResources'> = deploymentHandler({
  change(a, d) {
    const { index, container } = containerNamed(d, a.container);
    const path = `/spec/template/spec/containers/${index}`;
    return {
      body: [
        { op: 'test', path: `${path}/name`, value: a.container },
        {
          op: container.resources ? 'replace' : 'add',
          path: `${path}/resources`,
          value: resourcesAfter(container.resources, a),
        },
      ],
      type: 'json',
      note: `${a.container} resources: ${JSON.stringify({ limits: a.limits, requests: a.requests })}`,
    };
  },
  mismatch(a, d) {
    const resources = containerNamed(d, a.container).container.resources;
    for (const section of ['limits', 'requests'] as const)
      for (const [resource, value] of Object.entries(a[section] ?? {}))
        if (resources?.[section]?.[resource] !== value)
          return `${section}.${resource} is ${resources?.[section]?.[resource] ?? 'unset'}, expected ${value}`;
    return undefined;
  },
});

/**
 * A new startup probe for a container that has none: the liveness probe's handler (the endpoint it already
 * trusts), without its timing, which the action gives. Undefined without a liveness probe to copy.
 */
function startupFrom(container: V1Container): V1Probe | undefined {
  const liveness = container.livenessProbe;
  if (!liveness) return undefined;
  const { exec, httpGet, tcpSocket, grpc } = plain(liveness);
  return {
    ...(exec ? { exec } : {}),
    ...(httpGet ? { httpGet } : {}),
    ...(tcpSocket ? { tcpSocket } : {}),
    ...(grpc ? { grpc } : {}),
  };
}

/** The probe after the change; throws when the container has no such probe or the change does not fit it. */
function probeAfter(d: V1Deployment, a: SetProbe): { index: number; probe: V1Probe } {
  const { index, container } = containerNamed(d, a.container);
  const current =
    container[PROBE_FIELD[a.probe]] ?? (a.probe === 'startup' ? startupFrom(container) : undefined);
  if (!current) throw new Error(`container ${a.container} has no ${a.probe} probe to change`);
  const probe = plain(current);
  if (a.port !== undefined) {
    const endpoint = probe.tcpSocket ?? probe.httpGet ?? probe.grpc;
    if (!endpoint) throw new Error(`the ${a.probe} probe of ${a.container} dials no port (exec)`);
    endpoint.port = a.port;
  }
  if (a.path !== undefined) {
    if (!probe.httpGet) throw new Error(`the ${a.probe} probe of ${a.container} is not an HTTP probe`);
    probe.httpGet.path = a.path;
  }
  for (const field of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const)
    if (a[field] !== undefined) probe[field] = a[field];
  return { index, probe };
}

export const setProbe: HandlerFor<'setProbe'> = deploymentHandler({
  change(a, d) {
    const { index, probe } = probeAfter(d, a);
    const path = `/spec/template/spec/containers/${index}`;
    return {
      body: [
        { op: 'test', path: `${path}/name`, value: a.container },
        {
          op: containerNamed(d, a.container).container[PROBE_FIELD[a.probe]] ? 'replace' : 'add',
          path: `${path}/${PROBE_FIELD[a.probe]}`,
          value: probe,
        },
      ],
      type: 'json',
      note: `${a.container} ${a.probe} probe: ${JSON.stringify(probe)}`,
    };
  },
  mismatch(a, d) {
    const probe = containerNamed(d, a.container).container[PROBE_FIELD[a.probe]];
    if (!probe) return `container ${a.container} has no ${a.probe} probe`;
    const port = probe.tcpSocket?.port ?? probe.httpGet?.port ?? probe.grpc?.port;
    if (a.port !== undefined && port !== a.port) return `probe port is ${String(port)}, expected ${a.port}`;
    if (a.path !== undefined && probe.httpGet?.path !== a.path)
      return `probe path is ${probe.httpGet?.path ?? 'unset'}, expected ${a.path}`;
    for (const field of [
      'initialDelaySeconds',
      'periodSeconds',
      'timeoutSeconds',
      'failureThreshold',
    ] as const)
      if (a[field] !== undefined && probe[field] !== a[field])
        return `probe ${field} is ${String(probe[field])}, expected ${a[field]}`;
    return undefined;
  },
});
