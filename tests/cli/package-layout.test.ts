/**
 * The package as it is laid out when built or installed (issue 14, item 3): shipped files are found from
 * the package root whether the code runs from src/ or dist/, the packed `files` carry them, and bin/aoi.js
 * runs the build without tsx. The whole packed install is exercised by .ci/packed-smoke.sh.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  packageRoot,
  shippedPath,
  shippedPoliciesDir,
  shippedProblemsDir,
} from '../../src/core/package-root.js';
import type * as PackageRoot from '../../src/core/package-root.js';
import { DEFAULT_PROBLEMS_DIR } from '../../aiopslab-harness/bench/load-problems.js';

const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-package-layout-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** package-root.ts compiled to JavaScript and written at `path`, as tsc would emit it. */
async function emitPackageRoot(path: string): Promise<void> {
  const source = await readFile(join(REPO, 'src/core/package-root.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2023 },
  });
  await mkdir(resolve(path, '..'), { recursive: true });
  await writeFile(path, outputText);
}

describe('the package root', () => {
  it('is the checkout when running from the sources, with the catalog, the policies and the docs under it', () => {
    expect(packageRoot()).toBe(REPO);
    expect(existsSync(join(shippedProblemsDir(), 'hotel-reservation.yaml'))).toBe(true);
    expect(existsSync(join(shippedPoliciesDir(), 'default.yaml'))).toBe(true);
    expect(existsSync(shippedPath('docs', 'policy-reference.md'))).toBe(true);
    expect(DEFAULT_PROBLEMS_DIR).toBe(join(REPO, 'aiopslab-harness', 'problems'));
  });

  it('is three levels above the module in a build (dist/src/core), where the catalog is not under dist/', async () => {
    const pkg = join(dir, 'built');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), '{"name":"aoi","type":"module"}');
    const module = join(pkg, 'dist', 'src', 'core', 'package-root.js');
    await emitPackageRoot(module);
    const built = (await import(pathToFileURL(module).href)) as typeof PackageRoot;
    expect(built.packageRoot()).toBe(pkg);
    expect(built.shippedProblemsDir()).toBe(join(pkg, 'aiopslab-harness', 'problems'));
  });
});

describe('package.json', () => {
  it('packs what the commands read at run time and builds before packing', async () => {
    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      files: string[];
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(manifest.files).toEqual(
      expect.arrayContaining(['bin', 'dist', 'policies', 'aiopslab-harness/problems', 'docs']),
    );
    expect(manifest.scripts['prepack']).toMatch(/build/);
    // tsx runs the sources in a checkout only; the packed package runs dist/.
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
  });
});

describe('bin/aoi.js', () => {
  /** A package with bin/aoi.js and no node_modules at all, so an import of tsx would fail. */
  async function bareCopy(name: string): Promise<string> {
    const pkg = join(dir, name);
    await mkdir(join(pkg, 'bin'), { recursive: true });
    await copyFile(join(REPO, 'bin', 'aoi.js'), join(pkg, 'bin', 'aoi.js'));
    await writeFile(join(pkg, 'package.json'), '{"name":"aoi","type":"module"}');
    return pkg;
  }

  it('runs dist/ when it exists, without tsx', async () => {
    const pkg = await bareCopy('with-dist');
    await mkdir(join(pkg, 'dist', 'src', 'cli'), { recursive: true });
    await writeFile(
      join(pkg, 'dist', 'src', 'cli', 'main.js'),
      "process.stdout.write('compiled main ' + process.argv.slice(2).join(' '));\n",
    );
    const { stdout } = await run(process.execPath, [join(pkg, 'bin', 'aoi.js'), '--help'], { cwd: dir });
    expect(stdout).toBe('compiled main --help');
  });

  it('says what is missing, exit 2, when there is neither a build nor tsx', async () => {
    const pkg = await bareCopy('without-dist');
    const failed = await run(process.execPath, [join(pkg, 'bin', 'aoi.js'), '--help'], { cwd: dir }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/neither a build \(dist\/\) nor tsx/);
    expect(failed?.stderr).toMatch(/npm run build/);
  });
});
