/**
 * One keep-alive HTTPS Agent for all of a reader's requests. client-node's applyToHTTPSOptions builds a new
 * Agent for every request, so every GET opened a connection and paid a full TLS handshake: at a hundred pods
 * (a list per kind, a log per pod) the handshakes were the largest share of a diagnosis's CPU. The shared
 * Agent is rebuilt when the TLS material changes (a rotated client certificate); any other agent, such as a
 * proxy's (the cluster's proxy-url), is left as client-node made it.
 */
import { Agent } from 'node:https';
import type { RequestOptions } from 'node:https';

const same = (a: unknown, b: unknown): boolean =>
  a === b || (Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b));

/** What decides which server certificates are trusted and which client identity is presented. */
function tlsMaterial(opts: RequestOptions): unknown[] {
  return [opts.ca, opts.cert, opts.key, opts.pfx, opts.passphrase, opts.rejectUnauthorized, opts.servername];
}

/** Returns a function that swaps the per-request Agent in `opts` for the shared keep-alive one. */
export function keepAliveAgent(): (opts: RequestOptions) => void {
  let shared: { material: unknown[]; agent: Agent } | undefined;
  return (opts) => {
    const made = opts.agent;
    // Exactly https.Agent: proxy agents subclass it and must keep their own connection logic.
    if (!(made instanceof Agent) || made.constructor !== Agent) return;
    const material = tlsMaterial(opts);
    if (!shared || !material.every((value, i) => same(value, shared!.material[i]))) {
      shared?.agent.destroy();
      // Idle keep-alive sockets are unref'd by Node, so they never hold the process open.
      shared = { material, agent: new Agent({ ...made.options, keepAlive: true }) };
    }
    opts.agent = shared.agent;
  };
}
