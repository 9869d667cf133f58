import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { slowProgress } from '../../src/cli/commands/observe.js';
import { JaegerReader } from '../../src/observer/jaeger-reader.js';
import { observe } from '../../src/observer/observe.js';
import { apiReader, metricsOf, startScenario } from './sim-helpers.js';

let server: SimServer;
let namespace: string;
beforeAll(async () => {
  ({ server, namespace } = await startScenario({ app: 'hotel-reservation', fault: 'noop' }));
});
afterAll(() => server.close());

function capture() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  return {
    io: {
      stdout: new PassThrough(),
      stderr,
      env: {},
      untilInterrupted: () => new Promise<string>(() => undefined),
    },
    text: () => text,
  };
}

describe('observation progress', () => {
  it('reports each finished phase with what it read', async () => {
    const lines: string[] = [];
    const traces = new JaegerReader({ url: server.url, token: server.tokens.observer, caPem: server.caPem });
    const result = await observe(apiReader(server), {
      namespace,
      metrics: metricsOf(server),
      traces,
      onProgress: (line) => lines.push(line),
    });
    expect(result.ok).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^read \d+ pods, \d+ warning events and \d+ logs in \d+ requests \(\d+\.\d s\)$/,
    );
    expect(lines[1]).toMatch(/^metrics: \d+ finding\(s\), 0 gap\(s\)/);
    expect(lines[2]).toMatch(/^traces: \d+ finding\(s\), 0 gap\(s\)/);
  });

  it('stays quiet while the observation is quick, then shows every phase so far', async () => {
    const quick = capture();
    const report = slowProgress(quick.io, 60_000);
    report('one');
    report('two');
    await new Promise((r) => setImmediate(r));
    expect(quick.text()).toBe('');

    const slow = capture();
    const late = slowProgress(slow.io, 0);
    late('one');
    late('two');
    await new Promise((r) => setImmediate(r));
    expect(slow.text()).toBe('aoi: observe: one\naoi: observe: two\n');
  });
});
