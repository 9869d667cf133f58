import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AoiError } from '../../src/core/errors.js';
import { loadYamlFile, parseYamlDocument } from '../../src/core/yaml-file.js';

const Doc = z.strictObject({ name: z.string(), items: z.array(z.object({ n: z.int() })).default([]) });

function errorOf(fn: () => unknown): AoiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AoiError) return error;
    throw error;
  }
  throw new Error('expected an AoiError');
}

describe('parseYamlDocument', () => {
  it('parses and validates', () => {
    expect(parseYamlDocument('name: a\nitems:\n  - n: 1\n', Doc, 'f.yaml')).toEqual({
      name: 'a',
      items: [{ n: 1 }],
    });
  });

  it.each([
    ['a syntax error', 'name: a\nitems: [1, 2\nother: 3\n', /^f\.yaml:3:1: /],
    ['a duplicate key', 'name: a\nname: b\n', /^f\.yaml:2:1: Map keys must be unique/],
    ['a bad indent', 'name: a\nitems:\n  - n: 1\n n: 2\n', /^f\.yaml:4:\d+: /],
    ['an unknown alias', 'name: *nope\n', /^f\.yaml:/],
  ])('reports %s with file:line:col', (_label, text, message) => {
    const error = errorOf(() => parseYamlDocument(text, Doc, 'f.yaml'));
    expect(error.code).toBe('config');
    expect(error.message).toMatch(message);
  });

  it('lists each failing path', () => {
    const error = errorOf(() => parseYamlDocument('name: 3\nitems:\n  - n: x\n  - n: 1.5\n', Doc, 'f.yaml'));
    expect(error.message.split('\n')).toEqual([
      'f.yaml: invalid contents',
      '  name: Invalid input: expected string, received number',
      '  items[0].n: Invalid input: expected number, received string',
      '  items[1].n: Invalid input: expected int, received number',
    ]);
  });
});

describe('loadYamlFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aoi-yaml-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: x\n');
    expect(await loadYamlFile(join(dir, 'a.yaml'), Doc)).toEqual({ name: 'x', items: [] });
  });

  it.each([
    ['a missing file', 'missing.yaml', 'not-found'],
    ['a directory', '.', 'io'],
  ])('maps %s to %s', async (_label, name, code) => {
    await expect(loadYamlFile(join(dir, name), Doc)).rejects.toMatchObject({ code });
  });
});
