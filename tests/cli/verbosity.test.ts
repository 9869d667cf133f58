import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { quietStderr, takeVerbosity } from '../../src/cli/io.js';
import { BUILT_AOI_BIN } from '../built-aoi.js';

describe('--quiet / --verbose', () => {
  it.each([
    [['node', 'aoi', 'diagnose', '-q', '--sim', 'x'], ['node', 'aoi', 'diagnose', '--sim', 'x'], 'quiet'],
    [['node', 'aoi', '--verbose', 'rbac'], ['node', 'aoi', 'rbac'], 'verbose'],
    [['node', 'aoi', 'act', '--', '-q'], ['node', 'aoi', 'act', '--', '-q'], 'normal'],
  ])('%j → %j (%s)', (input, argv, verbosity) => {
    expect(takeVerbosity(input)).toEqual({ argv, verbosity });
  });

  it('leaves a flag to a command that declares it', () => {
    const owns = (flag: string) => flag === '-q' || flag === '--quiet';
    expect(takeVerbosity(['node', 'aoi', 'agent', '-q', '--verbose'], owns)).toEqual({
      argv: ['node', 'aoi', 'agent', '-q'],
      verbosity: 'verbose',
    });
  });

  it('drops progress lines but keeps errors when quiet', () => {
    const sink = new PassThrough();
    let seen = '';
    sink.on('data', (c: Buffer) => (seen += c.toString()));
    const quiet = quietStderr(sink);
    quiet.write('aoi: observe: 3 evidence item(s) (10 ms)\n');
    quiet.write('aoi: error: cannot reach the cluster\n  Check the server.\n');
    quiet.write("error: unknown option '--x'\n");
    expect(seen).toBe(
      "aoi: error: cannot reach the cluster\n  Check the server.\nerror: unknown option '--x'\n",
    );
  });

  it('works end to end: rbac -q still prints its manifests on stdout', async () => {
    const r = await execa(process.execPath, [BUILT_AOI_BIN, 'rbac', '-q', '-n', 'shop'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('kind: ClusterRole');
    expect(r.stderr).toBe('');
  }, 30_000);
});
