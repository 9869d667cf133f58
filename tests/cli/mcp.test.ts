/**
 * `aoi mcp` spoken to by the SDK's own client (@modelcontextprotocol/client) over stdio, against a simulated
 * cluster served in this process so its request log shows every call aoi makes: the tools are listed,
 * `diagnose` finds the injected fault, and `propose_action` returns a verdict and a dry-run diff while the
 * API server sees no write (only dryRun requests) and the audit log stays empty.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXECUTOR_CONTEXT,
  OBSERVER_CONTEXT,
  SimServer,
  renderKubeconfig,
} from '../../aiopslab-harness/sim/index.js';
import { prepareCluster } from '../observer/sim-helpers.js';
import { AOI_BIN, spawnAoi } from './spawn-aoi.js';

let dir: string;
let server: SimServer;
let namespace: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-mcp-'));
  const prepared = prepareCluster({
    app: 'hotel-reservation',
    fault: 'misconfig_k8s_target_port',
    target: 'geo',
  });
  namespace = prepared.namespace;
  server = await SimServer.start({ cluster: prepared.cluster });
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig(server.url, server.tokens, server.caPem), { mode: 0o600 });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const text = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;

describe('aoi mcp', () => {
  it('lists its tools, diagnoses the simulated problem, and propose_action writes nothing', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        AOI_BIN,
        'mcp',
        '--kubeconfig',
        kubeconfig,
        '--context',
        OBSERVER_CONTEXT,
        '--executor-context',
        EXECUTOR_CONTEXT,
        '--prometheus-url',
        server.url,
        '--reasoner',
        'rules',
        '--policy',
        'standard',
        '-n',
        namespace,
      ],
      env: { HOME: dir, AOI_STATE_DIR: join(dir, 'state'), PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'aoi-test', version: '1.0.0' });
    try {
      await client.connect(transport);
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toEqual([
        'diagnose',
        'explain_policy',
        'list_runs',
        'observe',
        'propose_action',
        'show_run',
      ]);

      const diagnosed = JSON.parse(text(await client.callTool({ name: 'diagnose', arguments: {} }))) as {
        id: string;
        verdict: string;
        faultyComponents: string[];
        proposals: { action: { kind: string; name: string }; policy: { effect: string } }[];
      };
      expect(diagnosed.verdict).toBe('incident');
      expect(diagnosed.faultyComponents[0]).toBe('geo');
      const fix = diagnosed.proposals.find((p) => p.action.kind === 'patchService');
      expect(fix?.action.name).toBe('geo');

      const latest = await client.readResource({ uri: 'aoi://diagnosis/latest' });
      expect((latest.contents[0] as { text: string }).text).toContain(diagnosed.id);
      const runs = JSON.parse(text(await client.callTool({ name: 'list_runs', arguments: {} }))) as {
        id: string;
      }[];
      expect(runs[0]?.id).toBe(diagnosed.id);

      const before = server.requestLog.length;
      const proposed = JSON.parse(
        text(await client.callTool({ name: 'propose_action', arguments: { action: fix!.action } })),
      ) as {
        policy: { effect: string; rule: string };
        dryRun: { ok: boolean; diff: string[] } | null;
        applied: boolean;
      };
      expect(proposed.applied).toBe(false);
      expect(proposed.policy.effect).toBe('approve');
      expect(proposed.dryRun?.ok).toBe(true);
      expect(proposed.dryRun?.diff.join('\n')).toMatch(/targetPort/);
      // The API server saw the executor's dry run and nothing else that writes.
      const calls = server.requestLog.slice(before);
      const writes = calls.filter((e) => !['get', 'list', 'watch', 'discovery'].includes(e.verb));
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.filter((e) => !e.dryRun)).toEqual([]);
      expect(server.writesBy('executor').filter((e) => !e.dryRun)).toEqual([]);
      const audit = await client.readResource({ uri: 'aoi://audit/tail' });
      expect(JSON.parse((audit.contents[0] as { text: string }).text)).toEqual([]);

      // A bad action is a tool error the client's model can read, not a broken connection.
      const bad = await client.callTool({ name: 'explain_policy', arguments: { action: { kind: 'nope' } } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
    expect(stderr).toContain('aoi: MCP server on stdio');
  }, 120_000);

  it('refuses --allow-apply without a policy', async () => {
    const run = await spawnAoi(
      ['mcp', '--sim', 'k8s_target_port-misconfig-mitigation-1', '--allow-apply'],
      dir,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--allow-apply needs --policy/);
  });
});
