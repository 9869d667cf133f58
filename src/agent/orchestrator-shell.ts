/**
 * What AIOpsLab's `exec_shell` does with a command, and how the agent frames commands so that it can tell
 * their outcome whatever the orchestrator's `k8s_host` (checked at microsoft/AIOpsLab ddf7e406; see
 * ../shared/aiopslab/README.md and issue 17):
 * - `actions/base.py` `exec_shell`: a command containing a BLOCK_LIST pattern (plain substring) is not run;
 *   an error string comes back instead.
 * - `service/shell.py` `Shell.exec`: localhost returns stdout + stderr on exit 0, else
 *   "[ERROR] Command execution failed: " + stderr; a remote host (ssh) stdout only, else stderr only; kind
 *   runs `docker exec kind-control-plane sh -c "<command, each " escaped as \">"`, so the host shell expands
 *   `$`, backquotes and backslash escapes first, and returns stdout only, else
 *   "[ERROR] Docker command execution failed: " + stderr.
 *
 * So a framed command never relies on its own exit status reaching us: it echoes a begin marker, runs the
 * command with stderr folded into stdout, and echoes an OK or FAIL marker through `&&`/`||`, which leaves
 * the whole command's exit status 0 (stdout comes back in every mode, with any error text between the
 * markers). The markers use no `$`, so the host shell in kind mode cannot rewrite them.
 */

/** `exec_shell`'s BLOCK_LIST (actions/base.py): substrings that make it refuse a command. */
export const BLOCK_LIST = [
  'kubectl edit',
  'edit svc',
  'kubectl port-forward',
  'docker logs -f',
  'kubectl logs -f',
] as const;

/** The two prefixes `Shell.exec` puts before stderr when a command exits non-zero (localhost, kind). */
const FAILURE_PREFIX = /^\s*\[ERROR\] (?:Docker )?command execution failed: ?/i;

/** What `Shell.exec` raises on a timeout, as `perform_action` turns it into the output. */
const EXEC_RAISED = /^\s*Failed to execute command(?: via SSH| in Docker container)?: /;

/** The orchestrator's text when it says the whole command failed; undefined when it does not say so. */
export function shellFailure(output: string): string | undefined {
  const prefix = FAILURE_PREFIX.exec(output);
  if (prefix) return output.slice(prefix[0].length).trim() || 'the command failed (no error text)';
  if (EXEC_RAISED.test(output)) return output.trim();
  return undefined;
}

/**
 * Why a command cannot go through `exec_shell` unchanged in every mode, or undefined when it can:
 * a BLOCK_LIST pattern, or a character the kind host shell would expand inside `"…"` (`$`, a backquote,
 * a backslash before `"`, `\`, `$`, a backquote or a newline).
 */
export function commandProblem(command: string): string | undefined {
  const blocked = BLOCK_LIST.find((pattern) => command.includes(pattern));
  if (blocked) return `it contains "${blocked}", which exec_shell refuses`;
  if (/[$`]/.test(command)) return 'it contains $ or a backquote, which the kind host shell would expand';
  if (/\\["\\$`\n]/.test(command)) return 'it contains a backslash escape the kind host shell would rewrite';
  return undefined;
}

/** The three marker words of one framed command; letters, digits and `_` only. */
function markers(tag: string): { begin: string; ok: string; fail: string } {
  if (!/^\w+$/.test(tag)) throw new Error(`a frame tag must be letters, digits or _: ${tag}`);
  return { begin: `AOI_${tag}_BEGIN`, ok: `AOI_${tag}_OK`, fail: `AOI_${tag}_FAIL` };
}

/** `echo BEGIN; <command> 2>&1 && echo OK || echo FAIL`: exit 0 whatever the command did. */
export function frame(command: string, tag: string): string {
  const m = markers(tag);
  return `echo ${m.begin}; ${command} 2>&1 && echo ${m.ok} || echo ${m.fail}`;
}

export type FrameOutcome =
  | { status: 'ok'; text: string }
  | { status: 'failed'; text: string }
  /** No markers: the command did not run as framed (refused, timed out, or the shell failed). */
  | { status: 'missing'; text: string };

/**
 * The outcome of one framed command in an orchestrator output. Markers count only as whole lines as `echo`
 * prints them (the begin marker at a line start, the end marker at a line end), so an error text that
 * quotes the command itself (a timeout says "Failed to execute command: <command>") never matches.
 */
export function readFrame(output: string, tag: string): FrameOutcome {
  const m = markers(tag);
  const begin = new RegExp(`(?:^|\\n)${m.begin}\\n`).exec(output);
  if (!begin) return { status: 'missing', text: missingText(output) };
  const from = begin.index + begin[0].length;
  const end = new RegExp(`(${m.ok}|${m.fail})(?:\\n|$)`).exec(output.slice(from));
  if (!end) return { status: 'missing', text: missingText(output) };
  const text = output.slice(from, from + end.index).replace(/\n$/, '');
  return { status: end[1] === m.ok ? 'ok' : 'failed', text };
}

function missingText(output: string): string {
  const said = shellFailure(output) ?? output.trim();
  return `no outcome markers in the output: ${said.slice(0, 500) || 'the orchestrator returned nothing'}`;
}
