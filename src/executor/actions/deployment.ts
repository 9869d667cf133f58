import type { V1EnvVar } from '@kubernetes/client-node';
import type { HandlerFor } from './types.js';
import { containerNamed, deploymentHandler } from './deployment-base.js';
import { plain, selectorOf } from './workload.js';

const REVISION = 'deployment.kubernetes.io/revision';

export const scaleDeployment: HandlerFor<'scaleDeployment'> = deploymentHandler({
  change: (a) => ({
    body: { spec: { replicas: a.replicas } },
    type: 'merge',
    note: `replicas → ${a.replicas}`,
  }),
  mismatch: (a, d) =>
    d.spec?.replicas === a.replicas ? undefined : `replicas ${d.spec?.replicas}, expected ${a.replicas}`,
  // Zero replicas "rolled out" is not a healthy target when a Service sends traffic to them: never verified.
  async unhealthy(a, d, clients) {
    if (a.replicas > 0) return undefined;
    const labels = d.spec?.template.metadata?.labels ?? {};
    const services = await clients.core.listNamespacedService({ namespace: a.namespace });
    const served = services.items.filter((s) => {
      const selector = Object.entries(s.spec?.selector ?? {});
      return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
    });
    return served.length === 0
      ? undefined
      : `0 replicas leave Service ${served.map((s) => s.metadata?.name ?? '?').join(', ')} without a backend`;
  },
});

export const setImage: HandlerFor<'setImage'> = deploymentHandler({
  change(a, d) {
    containerNamed(d, a.container);
    const containers = [{ name: a.container, image: a.image }];
    return {
      body: { spec: { template: { spec: { containers } } } },
      type: 'strategic',
      note: `${a.container} image → ${a.image}`,
    };
  },
  mismatch(a, d) {
    const image = containerNamed(d, a.container).container.image;
    return image === a.image ? undefined : `image ${image ?? 'none'}, expected ${a.image}`;
  },
});

export const setCommand: HandlerFor<'setCommand'> = deploymentHandler({
  change(a, d) {
    containerNamed(d, a.container);
    const containers = [{ name: a.container, command: a.command, ...(a.args ? { args: a.args } : {}) }];
    return {
      body: { spec: { template: { spec: { containers } } } },
      type: 'strategic',
      note: `${a.container} command → ${JSON.stringify(a.command)}`,
    };
  },
  mismatch(a, d) {
    const { container } = containerNamed(d, a.container);
    const same = (x: string[] | undefined, y: string[] | undefined) =>
      JSON.stringify(x ?? []) === JSON.stringify(y ?? []);
    if (!same(container.command, a.command))
      return `command ${JSON.stringify(container.command ?? [])}, expected ${JSON.stringify(a.command)}`;
    return a.args && !same(container.args, a.args)
      ? `args ${JSON.stringify(container.args ?? [])}, expected ${JSON.stringify(a.args)}`
      : undefined;
  },
});

export const setEnv: HandlerFor<'setEnv'> = deploymentHandler({
  change(a, d) {
    const { index, container } = containerNamed(d, a.container);
    const env: V1EnvVar[] = (container.env ?? []).filter((e) => !(e.name in a.env));
    for (const [name, value] of Object.entries(a.env)) if (value !== null) env.push({ name, value });
    const path = `/spec/template/spec/containers/${index}`;
    return {
      // "test" guards against the container list changing between the read and the patch.
      body: [
        { op: 'test', path: `${path}/name`, value: a.container },
        { op: container.env ? 'replace' : 'add', path: `${path}/env`, value: plain(env) },
      ],
      type: 'json',
      note: `${a.container} env: ${Object.keys(a.env).join(', ')}`,
    };
  },
  mismatch(a, d) {
    const env = containerNamed(d, a.container).container.env ?? [];
    for (const [name, value] of Object.entries(a.env)) {
      const found = env.find((e) => e.name === name);
      if (value === null ? found !== undefined : found?.value !== value)
        return `env ${name} not as requested`;
    }
    return undefined;
  },
});

export const patchNodeSelector: HandlerFor<'patchNodeSelector'> = deploymentHandler({
  change: (a) => ({
    body: { spec: { template: { spec: { nodeSelector: a.nodeSelector } } } },
    type: 'merge',
    note: `nodeSelector ${JSON.stringify(a.nodeSelector)}`,
  }),
  mismatch(a, d) {
    const selector = d.spec?.template.spec?.nodeSelector ?? {};
    for (const [key, value] of Object.entries(a.nodeSelector))
      if ((selector[key] ?? null) !== value) return `nodeSelector ${key} not as requested`;
    return undefined;
  },
});

/** `kubectl rollout undo`: the template of an older ReplicaSet (the previous one, or `toRevision`). */
export const rollbackDeployment: HandlerFor<'rollbackDeployment'> = deploymentHandler({
  async change(a, d, clients) {
    const sets = await clients.apps.listNamespacedReplicaSet({
      namespace: a.namespace,
      labelSelector: selectorOf(d),
    });
    const owned = sets.items
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid))
      .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? 0) }))
      .sort((x, y) => y.revision - x.revision);
    const current = Number(d.metadata?.annotations?.[REVISION] ?? owned[0]?.revision ?? 0);
    const target =
      a.toRevision !== undefined
        ? owned.find((o) => o.revision === a.toRevision)
        : owned.find((o) => o.revision < current);
    if (!target?.rs.spec?.template)
      throw new Error(`deployment/${a.name}: no revision to roll back to (${a.toRevision ?? 'previous'})`);
    const template = plain(target.rs.spec.template);
    const labels = { ...(template.metadata?.labels ?? {}) };
    delete labels['pod-template-hash'];
    template.metadata = { ...(template.metadata ?? {}), labels };
    return {
      body: [{ op: 'replace', path: '/spec/template', value: template }],
      type: 'json',
      note: `template of revision ${target.revision}`,
    };
  },
  mismatch: () => undefined,
});
