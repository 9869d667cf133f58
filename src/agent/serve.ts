/**
 * The stdio loop of `aoi agent`: one request a line in, one reply a line out, in order. A line that is not
 * JSON or not a request gets an error reply and the loop goes on; the end of the input ends the loop.
 */
import { createInterface } from 'node:readline';
import { formatIssues } from '../core/zod-issues.js';
import type { AgentReply } from './protocol.js';
import { AgentRequest } from './protocol.js';
import type { AgentSessionOptions } from './session.js';
import { AgentSession } from './session.js';
import { parseProblem } from './task-description.js';

export interface ServeOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  session: Omit<AgentSessionOptions, 'log'>;
  log: (line: string) => void;
}

export async function serveAgent(options: ServeOptions): Promise<void> {
  const lines = createInterface({ input: options.input, crlfDelay: Infinity });
  let session: AgentSession | undefined;
  const send = (reply: AgentReply) => options.output.write(`${JSON.stringify(reply)}\n`);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      send({ type: 'error', code: 'bad-json', message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const request = AgentRequest.safeParse(value);
    if (!request.success) {
      send({ type: 'error', code: 'bad-request', message: formatIssues(request.error).join('; ') });
      continue;
    }
    try {
      if (request.data.type === 'init') {
        const problem = parseProblem(request.data.problem);
        for (const note of problem.notes) options.log(note);
        session = new AgentSession(problem, { ...options.session, log: options.log });
        send({ type: 'action', action: await session.next() });
      } else if (!session) {
        send({ type: 'error', code: 'no-session', message: 'send an init request before the first step' });
      } else {
        send({ type: 'action', action: await session.next(request.data.output) });
      }
    } catch (error) {
      send({
        type: 'error',
        code: 'internal',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
