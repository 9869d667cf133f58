/**
 * The rules must localise by what the cluster shows, not by names they know. The same faults are injected
 * into apps whose every component is renamed (a prefix on each name, everywhere it appears: Services,
 * selectors, call graph, connection strings, binaries, log lines) and deployed into another namespace; the
 * answers must be the renamed components with the same classification.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../aiopslab-harness/sim/apps/types.js';
import { getApp, SimCluster, SimServer } from '../../aiopslab-harness/sim/index.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import { observerOf } from '../../src/incident/endpoint.js';
import { runIncident } from '../../src/incident/run-incident.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';

const PREFIX = 'zeta-';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every whole-word occurrence of a component name, longest names first, gets the prefix. */
function renamed(app: AppSpec): AppSpec {
  const names = app.components.map((c) => c.name).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![A-Za-z0-9-])(${names.map(escape).join('|')})(?![A-Za-z0-9-])`, 'g');
  const json = JSON.stringify(app).replace(pattern, `${PREFIX}$1`);
  return { ...(JSON.parse(json) as AppSpec), name: app.name, defaultNamespace: `${PREFIX}prod` };
}

interface Case {
  app: string;
  fault: string;
  target: string;
  params?: Record<string, string>;
  /** The component AIOpsLab names as faulty, before renaming. */
  expect: string;
  faultType: string;
}

const CASES: Case[] = [
  {
    app: 'social-network',
    fault: 'misconfig_k8s_target_port',
    target: 'text-service',
    expect: 'text-service',
    faultType: 'Misconfiguration',
  },
  {
    app: 'social-network',
    fault: 'scale_pods_to_zero',
    target: 'user-service',
    expect: 'user-service',
    faultType: 'Operation Error',
  },
  {
    app: 'hotel-reservation',
    fault: 'revoke_auth_mongodb',
    target: 'mongodb-rate',
    expect: 'mongodb-rate',
    faultType: 'Authentication Issue',
  },
  {
    app: 'hotel-reservation',
    fault: 'wrong_bin_usage',
    target: 'profile',
    params: { binary: `${PREFIX}geo` },
    expect: 'profile',
    faultType: 'Network/Storage Issue',
  },
  {
    app: 'hotel-reservation',
    fault: 'pod_kill',
    target: 'user',
    expect: 'user',
    faultType: 'Operation Error',
  },
];

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('rules localise renamed services in a renamed namespace', () => {
  it.each(CASES)(
    '$fault on $target',
    async (c) => {
      const app = renamed(getApp(c.app)!);
      expect(app.components.every((component) => component.name.startsWith(PREFIX))).toBe(true);
      const cluster = new SimCluster({ seed: 11 });
      cluster.deployApp(app);
      expect(cluster.settle()).toBe(true);
      cluster.advance(5 * 60_000);
      injectFault(cluster, app.defaultNamespace, {
        kind: c.fault,
        target: `${PREFIX}${c.target}`,
        params: c.params ?? {},
      });
      cluster.advance(3 * 60_000);
      server = await SimServer.start({ cluster });
      const endpoint = {
        url: server.url,
        caPem: server.caPem,
        observerToken: server.tokens.observer,
        executorToken: server.tokens.executor,
      };
      const { reader, metrics } = observerOf(endpoint);
      const report = await runIncident({
        reader,
        metrics,
        namespace: app.defaultNamespace,
        reasoner: new RulesReasoner(),
      });
      const d = report.reasoning.diagnosis;
      expect(d.detected).toBe(true);
      expect(d.faultyComponents[0]).toBe(`${PREFIX}${c.expect}`);
      expect(d.rootCause?.faultType).toBe(c.faultType);
      // Nothing in the diagnosis still uses an original name.
      const text = JSON.stringify(d.proposals);
      expect(text).not.toMatch(new RegExp(`"name":"${escape(c.expect)}"`));
    },
    30_000,
  );
});
