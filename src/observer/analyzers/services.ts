import type { Endpoints, Pod, Service } from '../k8s-types.js';
import { asArray, byNamespace, firstByName, nameOf } from '../k8s-types.js';
import type { Finding } from './finding.js';
import { matchesSelector, subjectOf } from './finding.js';

/** Services against their endpoints and pods: no endpoints, a targetPort no container listens on. */
export function analyzeServices(
  services: readonly Service[],
  endpoints: readonly Endpoints[],
  pods: readonly Pod[],
): Finding[] {
  const findings: Finding[] = [];
  const podsIn = byNamespace(pods);
  const endpointsOf = firstByName(endpoints);
  for (const svc of services) {
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const name = nameOf(svc);
    const ns = svc.metadata?.namespace;
    const subject = subjectOf('Service', svc);
    const selected = (podsIn.get(ns) ?? []).filter(
      (p) => !p.metadata?.deletionTimestamp && matchesSelector(p.metadata?.labels, selector),
    );
    const ep = endpointsOf(ns, name);
    const ready = asArray(ep?.subsets).reduce((n, s) => n + asArray(s.addresses).length, 0);
    const ports = asArray(svc.spec?.ports);
    const portText = ports
      .map((p) => `${p.port ?? '?'}->${String(p.targetPort ?? p.port ?? '?')}`)
      .join(', ');
    if (ready === 0)
      findings.push({
        source: 'kubernetes',
        subject,
        component: name,
        signal: 'NoEndpoints',
        severity: 'error',
        score: 60,
        summary: `Service ${name} has no ready endpoints (${selected.length} pods match its selector)`,
        excerpt: `selector ${JSON.stringify(selector)}; ports ${portText}`,
      });
    const containers = selected.flatMap((p) => asArray(p.spec?.containers));
    const declared = containers.flatMap((c) => asArray(c.ports));
    if (declared.length === 0) continue;
    for (const port of ports) {
      const target = port.targetPort ?? port.port;
      const matches =
        typeof target === 'number'
          ? declared.some((d) => d.containerPort === target)
          : declared.some((d) => d.name === target || String(d.containerPort) === target);
      if (matches) continue;
      const listeningPorts = [...new Set(declared.map((d) => d.containerPort))];
      const listening = listeningPorts.join(', ');
      // The port the Service most plausibly meant: the one named like the Service port, else the only one.
      const intended =
        declared.find((d) => port.name !== undefined && d.name === port.name)?.containerPort ??
        (listeningPorts.length === 1 ? listeningPorts[0] : undefined);
      findings.push({
        source: 'kubernetes',
        subject,
        component: name,
        signal: 'TargetPortMismatch',
        severity: 'critical',
        score: 95,
        summary: `Service ${name} port ${port.port ?? '?'} targets ${String(target)}, but its pods' containers listen on ${listening}`,
        excerpt: `ports ${portText}; selector ${JSON.stringify(selector)}`,
        attributes: {
          service: name,
          port: port.port ?? 0,
          targetPort: String(target),
          ...(port.name === undefined ? {} : { portName: port.name }),
          ...(intended === undefined ? {} : { containerPort: intended }),
        },
      });
    }
  }
  return findings;
}
