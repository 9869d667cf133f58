import { createHash } from 'node:crypto';
import { z } from 'zod';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** `not-asked`: the policy wanted approval but nobody could be asked (no terminal, no --approve); not a "no". */
export const AuditDecision = z.enum(['allow', 'approve', 'deny', 'approved', 'rejected', 'not-asked']);
export type AuditDecision = z.infer<typeof AuditDecision>;

/** The cluster a write went to and who made it, as the executor's kubeconfig says. */
export const AuditTarget = z.object({
  server: z.string().describe("The API server URL of the executor's context"),
  context: z.string().describe('The kubeconfig context name'),
  identity: z
    .string()
    .describe("A service-account token's subject when the token says so, else the kubeconfig user name"),
});
export type AuditTarget = z.infer<typeof AuditTarget>;

export const AuditEntry = z.object({
  seq: z.int().min(1),
  at: z.iso.datetime(),
  actor: z.string().min(1),
  action: z.unknown().describe('The proposal, or a description of what was attempted'),
  policyRule: z.string().nullable().describe('Id of the deciding rule; null when the default applied'),
  decision: AuditDecision,
  dryRun: z.object({ ok: z.boolean(), message: z.string().optional() }).nullable(),
  result: z
    .object({
      status: z.enum(['applied', 'failed', 'skipped', 'rolledBack']),
      message: z.string().optional(),
    })
    .nullable(),
  // Optional, so entries written before they existed still parse and verify; new entries hash them.
  target: AuditTarget.optional(),
  runId: z.string().min(1).optional().describe('The run (diagnose incident, act, rollback) that wrote it'),
  prevHash: z.union([Sha256Hex, z.literal('genesis')]),
  hash: Sha256Hex,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export type UnsealedAuditEntry = Omit<AuditEntry, 'hash'>;

/** sha256 over canonical JSON (sorted keys) of every field but `hash`. */
export function computeAuditHash(entry: UnsealedAuditEntry & { hash?: string }): string {
  const { hash: _hash, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Build the next entry of a chain: fills seq, prevHash and hash. */
export function sealAuditEntry(
  previous: AuditEntry | undefined,
  fields: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>,
): AuditEntry {
  const unsealed: UnsealedAuditEntry = {
    ...fields,
    seq: previous ? previous.seq + 1 : 1,
    prevHash: previous ? previous.hash : 'genesis',
  };
  return { ...unsealed, hash: computeAuditHash(unsealed) };
}

export type AuditChainCheck = { ok: true } | { ok: false; seq: number; reason: string };

/** Detects edits, insertions and removals inside the chain; a truncated tail needs an outside anchor. */
export function verifyAuditChain(entries: readonly AuditEntry[]): AuditChainCheck {
  let previous: AuditEntry | undefined;
  for (const entry of entries) {
    const expectedSeq = previous ? previous.seq + 1 : 1;
    if (entry.seq !== expectedSeq) {
      return { ok: false, seq: entry.seq, reason: `expected seq ${expectedSeq}, found ${entry.seq}` };
    }
    const expectedPrev = previous ? previous.hash : 'genesis';
    if (entry.prevHash !== expectedPrev) {
      return { ok: false, seq: entry.seq, reason: 'prevHash does not match the previous entry' };
    }
    if (computeAuditHash(entry) !== entry.hash) {
      return { ok: false, seq: entry.seq, reason: 'hash does not match the entry contents' };
    }
    previous = entry;
  }
  return { ok: true };
}

/** JSON with object keys sorted at every depth; values go through JSON first so toJSON and undefined behave as on disk. */
function canonicalJson(value: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  return JSON.stringify(sortKeys(plain));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a "__proto__" key is hashed rather than swallowed.
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
  }
  return value;
}
