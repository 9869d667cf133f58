/**
 * `aoi mcp`: aoi's read-only tools over the Model Context Protocol (SDK v2, @modelcontextprotocol/server).
 * The CLI hands in what each tool does (McpDeps), so this module knows no cluster: it declares the tools,
 * validates their input with zod, and turns results and errors into tool results. `propose_action` returns
 * the policy verdict and a server-side dry-run diff and never applies; `apply_action` exists only when the
 * server was started with --allow-apply and a policy, and then goes through the executor (policy, dry run,
 * verify, rollback, audit) with nobody to approve: what the policy wants approved is refused.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { ActionProposal } from '../core/actions.js';
import type { DiagnoseOutput, PolicyVerdict } from '../core/diagnose-output.js';

export interface ProposalReview {
  policy: PolicyVerdict;
  /** The server-side dry run (no write) when the policy does not deny; null when it does. */
  dryRun: { ok: boolean; message?: string; diff: string[] } | null;
  applied: false;
}

export interface McpDeps {
  version: string;
  observe(namespace?: string): Promise<unknown>;
  diagnose(args: { namespace?: string; target?: string }): Promise<DiagnoseOutput>;
  explainPolicy(action: ActionProposal): PolicyVerdict & { policy: string };
  listRuns(limit: number): Promise<unknown[]>;
  showRun(id: string): Promise<unknown>;
  propose(action: ActionProposal): Promise<ProposalReview>;
  auditTail(count: number): Promise<unknown[]>;
  /** Present only with --allow-apply --policy P. */
  apply?: (action: ActionProposal) => Promise<{ status: string; message: string; auditId?: number }>;
}

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const json = (value: unknown): ToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});

/** Errors are tool results (isError), so the client's model sees why, not a transport failure. */
async function guarded(work: () => Promise<unknown>): Promise<ToolResult> {
  try {
    return json(await work());
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    return {
      content: [{ type: 'text', text: `${(error as Error).message}${hint ? `\nhint: ${hint}` : ''}` }],
      isError: true,
    };
  }
}

const Namespace = z
  .string()
  .min(1)
  .max(63)
  .optional()
  .describe('Namespace (default: the one aoi mcp was started for)');
const ActionInput = z.object({
  action: ActionProposal.describe('One action proposal, as aoi diagnose proposes them'),
});

export function createMcpServer(deps: McpDeps): McpServer {
  let latest: DiagnoseOutput | undefined;
  const server = new McpServer(
    { name: 'aoi', version: deps.version },
    { capabilities: { tools: {}, resources: {} } },
  );
  const readOnly = { readOnlyHint: true, destructiveHint: false, openWorldHint: false };

  server.registerTool(
    'observe',
    {
      description:
        'Read the namespace once (read-only): ranked, redacted evidence and what could not be read',
      inputSchema: z.object({ namespace: Namespace }),
      annotations: readOnly,
    },
    ({ namespace }) => guarded(() => deps.observe(namespace)),
  );
  server.registerTool(
    'diagnose',
    {
      description:
        'Observe and reason (read-only): verdict, root cause, cited evidence and proposals with policy verdicts; target is kubectl-style (deploy/NAME, pod/NAME)',
      inputSchema: z.object({
        namespace: Namespace,
        target: z
          .string()
          .max(300)
          .optional()
          .describe('Start from one object: deploy/NAME, sts/NAME, pod/NAME, svc/NAME'),
      }),
      annotations: readOnly,
    },
    ({ namespace, target }) =>
      guarded(async () => {
        latest = await deps.diagnose({
          ...(namespace === undefined ? {} : { namespace }),
          ...(target === undefined ? {} : { target }),
        });
        return latest;
      }),
  );
  server.registerTool(
    'explain_policy',
    {
      description:
        "The policy's verdict for one action (allow, approve or deny), the rule that decided and why",
      inputSchema: ActionInput,
      annotations: readOnly,
    },
    ({ action }) => guarded(() => Promise.resolve(deps.explainPolicy(action))),
  );
  server.registerTool(
    'list_runs',
    {
      description: 'Recorded diagnoses (trajectories), newest first',
      inputSchema: z.object({ limit: z.int().min(1).max(200).optional() }),
      annotations: readOnly,
    },
    ({ limit }) => guarded(() => deps.listRuns(limit ?? 20)),
  );
  server.registerTool(
    'show_run',
    {
      description: 'One recorded run: its steps and diagnosis',
      inputSchema: z.object({ id: z.string().min(1).max(128) }),
      annotations: readOnly,
    },
    ({ id }) => guarded(() => deps.showRun(id)),
  );
  server.registerTool(
    'propose_action',
    {
      description:
        "Review an action without applying it: the policy's verdict and the API server's dry-run diff (nothing is written)",
      inputSchema: ActionInput,
      annotations: readOnly,
    },
    ({ action }) => guarded(() => deps.propose(action)),
  );
  const apply = deps.apply;
  if (apply)
    server.registerTool(
      'apply_action',
      {
        description:
          'Apply one action through the executor: policy, dry run, apply, verify, rollback on failure, audit. Actions the policy wants approved are refused (nobody can approve here)',
        inputSchema: ActionInput,
        annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
      },
      ({ action }) => guarded(() => apply(action)),
    );

  server.registerResource(
    'latest-diagnosis',
    'aoi://diagnosis/latest',
    {
      description: 'The last diagnosis this server made (aoi.diagnose/v2 JSON)',
      mimeType: 'application/json',
    },
    (uri) => ({
      contents: [
        { uri: uri.href, mimeType: 'application/json', text: JSON.stringify(latest ?? null, null, 2) },
      ],
    }),
  );
  server.registerResource(
    'audit-tail',
    'aoi://audit/tail',
    {
      description: 'The last 20 entries of the audit log (every write aoi made)',
      mimeType: 'application/json',
    },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify(await deps.auditTail(20), null, 2),
        },
      ],
    }),
  );
  return server;
}
