/** A local HTTP server that records every POST body, for tests of what reaches a chat webhook. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  body: string;
}

export class HttpSink {
  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
    readonly received: Received[],
  ) {}

  /** `answer(n)` gives the status for the n-th request (1-based); every answer waits for `hold`, if given. */
  static async start(answer: (n: number) => number = () => 200, hold?: Promise<void>): Promise<HttpSink> {
    let count = 0;
    const received: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        count++;
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        const status = answer(count);
        void (hold ?? Promise.resolve()).then(() => {
          res.statusCode = status;
          res.end('ok');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    return new HttpSink(server, `http://127.0.0.1:${port}`, received);
  }

  /** Polls until `check` holds; for waits on another process's posts. */
  async waitFor(check: (received: Received[]) => boolean, limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!check(this.received)) {
      if (Date.now() > deadline)
        throw new Error(`sink: gave up after ${limitMs} ms with ${this.received.length} post(s)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
