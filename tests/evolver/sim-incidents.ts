/**
 * Incidents on the in-process simulator, diagnosed by the real agent path (runIncident over HTTPS against the
 * simulated API server) and recorded as `aoi diagnose` records them, with no bench and no verdict. An app can
 * be renamed (every component name gets a prefix, as tests/reasoner/rules-renamed.test.ts does) and deployed
 * into another namespace, so a later set of incidents is really different from the one guidance was learned
 * from. The simulator's clock is driven by hand.
 */
import type { AppSpec } from '../../aiopslab-harness/sim/apps/types.js';
import { getApp, SimCluster, SimServer } from '../../aiopslab-harness/sim/index.js';
import { injectFault } from '../../aiopslab-harness/sim/faults/index.js';
import type { Guidance } from '../../src/core/guidance.js';
import { retrieveGuidance } from '../../src/evolver/retrieve.js';
import { observerOf } from '../../src/incident/endpoint.js';
import { runIncident } from '../../src/incident/run-incident.js';
import type { IncidentReport } from '../../src/incident/run-incident.js';
import { RulesReasoner } from '../../src/reasoner/rules-backend.js';
import type { RuleFamily } from '../../src/reasoner/rules/classify.js';

export interface SimIncident {
  app: string;
  fault: string;
  /** The target before renaming. */
  target: string;
  params?: Record<string, string>;
  /** Prefix for every component name (and the namespace `<prefix>prod`); none keeps the app as shipped. */
  prefix?: string;
  /** Deploy into this namespace instead (after any renaming). */
  namespace?: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function renamed(app: AppSpec, prefix: string): AppSpec {
  const names = app.components.map((c) => c.name).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![A-Za-z0-9-])(${names.map(escape).join('|')})(?![A-Za-z0-9-])`, 'g');
  const json = JSON.stringify(app).replace(pattern, `${prefix}$1`);
  return { ...(JSON.parse(json) as AppSpec), name: app.name, defaultNamespace: `${prefix}prod` };
}

/** The component name as the incident's cluster spells it. */
export const nameIn = (c: SimIncident, name: string) => `${c.prefix ?? ''}${name}`;

export interface DiagnoseOptions {
  trajectories: string;
  id: string;
  disable?: readonly RuleFamily[];
  library?: readonly Guidance[];
}

/** Injects the fault, lets 3 simulated minutes pass, and diagnoses with the rules backend; recorded. */
export async function diagnoseSimIncident(c: SimIncident, options: DiagnoseOptions): Promise<IncidentReport> {
  const shipped = getApp(c.app);
  if (!shipped) throw new Error(`no app ${c.app}`);
  const named = c.prefix ? renamed(shipped, c.prefix) : shipped;
  const app = c.namespace ? { ...named, defaultNamespace: c.namespace } : named;
  const cluster = new SimCluster({ seed: 11 });
  cluster.deployApp(app);
  cluster.settle();
  cluster.advance(5 * 60_000);
  injectFault(cluster, app.defaultNamespace, {
    kind: c.fault,
    target: nameIn(c, c.target),
    params: c.params ?? {},
  });
  cluster.advance(3 * 60_000);
  const server = await SimServer.start({ cluster });
  try {
    const { reader, metrics } = observerOf({
      url: server.url,
      caPem: server.caPem,
      observerToken: server.tokens.observer,
      executorToken: server.tokens.executor,
    });
    const library = options.library ?? [];
    return await runIncident({
      reader,
      metrics,
      namespace: app.defaultNamespace,
      reasoner: new RulesReasoner(options.disable ? { disable: options.disable } : {}),
      ...(library.length > 0 ? { selectGuidance: (evidence) => retrieveGuidance(library, evidence) } : {}),
      record: { dir: options.trajectories, id: options.id },
    });
  } finally {
    await server.close();
  }
}
