/**
 * The diff view shows the API server's dry-run object (dryRun=All over HTTP to the simulator), labelled as the
 * server's dry run, and falls back to the local preview, labelled so, when there is no server object.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/server/http.js';
import type { ActionProposal } from '../../src/core/actions.js';
import type { ExecutorClients } from '../../src/executor/actions/types.js';
import { dryRunAction } from '../../src/executor/executor.js';
import { App } from '../../src/tui/App.js';
import { NS, clientsFor, startSim } from '../executor/sim-fixture.js';
import type { IncidentReport } from '../../src/incident/run-incident.js';
import type { TuiBackend } from '../../src/tui/session.js';
import { REASONING, scriptedBackend } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const plain = (text: string | undefined) => (text ?? '').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
const waitFor = <T,>(check: () => T) => vi.waitFor(check, { timeout: 5000, interval: 20 });

let server: SimServer;
let clients: ExecutorClients;
const FIX: ActionProposal = {
  kind: 'patchService',
  namespace: NS,
  name: 'geo',
  ports: [{ port: 8083, targetPort: 9999 }],
  rationale: 'test',
  evidence: ['ev-2'],
};

beforeAll(async () => {
  server = await startSim(63);
  clients = clientsFor(server, 'executor');
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  cleanup();
});

describe('tui diff view', () => {
  it('shows the approval request’s server dry-run object as the diff', async () => {
    const requestDryRun = await dryRunAction(clients, FIX);
    const scripted = scriptedBackend({ fix: FIX, requestDryRun });
    const app = render(<App backend={scripted.backend} color={false} now={() => 0} />);
    const screen = () => plain(app.lastFrame());
    await waitFor(() => expect(screen()).toContain('Approval needed · action 1 · server dry run'));
    expect(screen()).toContain('- spec.ports[0].targetPort: 8083');
    expect(screen()).toContain('+ spec.ports[0].targetPort: 9999');
    // The server's object, not the local rendering of the proposal (`ports[0]…` without `spec.`).
    expect(screen()).not.toContain('+ ports[0].targetPort');
  });

  it('asks the backend for a server dry run when browsing an action, and labels the fallback', async () => {
    const scripted = scriptedBackend({ fix: FIX });
    const asked: ActionProposal[] = [];
    scripted.backend.dryRun = (action) => {
      asked.push(action);
      return dryRunAction(clients, action);
    };
    const app = render(<App backend={scripted.backend} color={false} now={() => 0} />);
    const screen = () => plain(app.lastFrame());
    // The pending request carries no object: the local preview, labelled so, and no extra dry run.
    await waitFor(() => expect(screen()).toContain('Approval needed · action 1 · local preview'));
    expect(asked).toEqual([]);
    app.stdin.write('d');
    await waitFor(() => expect(screen()).toContain('Dry run / diff · action 1 · server dry run'));
    expect(asked).toEqual([FIX]);
    expect(screen()).toContain('+ spec.ports[0].targetPort: 9999');
  });

  it('never sends a denied action to the server; its diff is the local preview', async () => {
    const scripted = scriptedBackend({ fix: FIX });
    const asked: ActionProposal[] = [];
    const backend: TuiBackend = {
      ...scripted.backend,
      // Diagnose only: the proposal is shown with the static verdict, nothing is executed.
      run: (hooks) => {
        hooks.onDiagnosis({ ...REASONING, diagnosis: { ...REASONING.diagnosis, proposals: [FIX] } });
        return Promise.resolve({
          reasoning: { ...REASONING, diagnosis: { ...REASONING.diagnosis, proposals: [FIX] } },
        } as unknown as IncidentReport);
      },
      verdict: () => ({ effect: 'deny', rule: null, reason: 'no rule matched' }),
      dryRun: (action) => {
        asked.push(action);
        return dryRunAction(clients, action);
      },
    };
    const app = render(<App backend={backend} color={false} now={() => 0} />);
    const screen = () => plain(app.lastFrame());
    await waitFor(() => expect(screen()).toContain('incident found'));
    app.stdin.write('\t');
    await waitFor(() => expect(screen()).toContain('- ports[0].port: 9090'));
    expect(screen()).toContain('Dry run / diff · action 1 · local preview');
    expect(screen()).toContain('policy deny: no rule matched');
    // The proposal rendered locally against the backend's pre-image (the fixture's), not a server object.
    expect(screen()).toContain('  ports[0].targetPort: 9999');
    expect(screen()).not.toContain('spec.ports');
    expect(asked).toEqual([]);
  });
});
