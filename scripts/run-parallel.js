#!/usr/bin/env node
/**
 * Runs npm scripts side by side (`node scripts/run-parallel.js typecheck lint`): tsc and a type-aware ESLint
 * each use one core for most of their run, so on a two-core machine the pair takes as long as the slower one
 * instead of the sum. Each script's output is printed whole when it ends, so the two never interleave; the
 * exit code is the first failure's (1 when a script was killed by a signal), 0 when all passed.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import process from 'node:process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.js <npm script> [<npm script> …]\n');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @param {string} script */
function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    /** @type {Buffer[]} */
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ script, code: 1, seconds: 0, text: `${String(error)}\n` }));
    child.on('close', (code) =>
      resolve({
        script,
        code: code ?? 1,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        text: Buffer.concat(output).toString('utf8'),
      }),
    );
  });
}

const results = [];
for (const result of await Promise.all(scripts.map(run))) {
  results.push(result);
  process.stdout.write(
    `> ${result.script}: ${result.code === 0 ? 'ok' : `exit ${result.code}`} (${result.seconds} s)\n`,
  );
  if (result.text) process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
}
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
