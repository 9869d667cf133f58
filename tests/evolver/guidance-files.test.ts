import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Guidance } from '../../src/core/guidance.js';
import { parseGuidance, renderGuidance } from '../../src/core/guidance.js';
import { loadGuidanceDir, saveDraft, updateStatus, writeImported } from '../../src/evolver/guidance-files.js';
import { retrieveGuidance, scoreGuidance } from '../../src/evolver/retrieve.js';
import { item } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aoi-guidance-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function draft(pattern = '\\bUserNotFound\\b', status: 'candidate' | 'promoted' = 'candidate'): Guidance {
  return {
    frontMatter: {
      id: 'user-gone',
      title: 'AuthErrors with UserNotFound means Network/Storage Issue',
      signals: ['AuthErrors'],
      faultTypes: ['Network/Storage Issue'],
      createdFrom: ['run-1'],
      version: 1,
      status,
      support: { problems: 2, before: 1 },
      hints: [
        {
          kind: 'classify',
          signals: ['AuthErrors'],
          logPattern: pattern,
          systemLevel: 'Application',
          faultType: 'Network/Storage Issue',
        },
      ],
    },
    body: '\n# Body\n',
  };
}

describe('guidance front matter', () => {
  it('round-trips hints, status and figures, and still accepts the original fields alone', () => {
    const g = draft();
    expect(parseGuidance(renderGuidance(g), 'g.md')).toEqual(g);
    const plain =
      '---\nid: old\ntitle: Old\nsignals: [X]\nfaultTypes: []\ncreatedFrom: []\nversion: 1\n---\nbody\n';
    expect(parseGuidance(plain, 'old.md').frontMatter.status).toBeUndefined();
  });

  it.each([
    [
      'an invalid log pattern',
      'logPattern: \\bUserNotFound\\b',
      'logPattern: "(unclosed"',
      /must be a valid regular expression/,
    ],
    ['an unknown hint kind', 'kind: classify', 'kind: guess', /kind/],
    ['an unknown status', 'status: candidate', 'status: maybe', /status/],
  ])('rejects %s', (_name, from, to, error) => {
    const text = renderGuidance(draft()).replace(from, to);
    expect(() => parseGuidance(text, 'g.md')).toThrow(error);
  });
});

describe('guidance files', () => {
  it('writes atomically with a hash index, bumps the version of its own file when the advice changes', async () => {
    const first = await saveDraft(dir, draft(), []);
    expect(first.file).toBe('user-gone.md');
    const { files } = await loadGuidanceDir(dir);
    expect(files.map((f) => [f.file, f.edited])).toEqual([['user-gone.md', false]]);
    const same = await saveDraft(dir, draft(), files);
    expect(same.guidance.frontMatter.version).toBe(1);
    const changed = await saveDraft(dir, draft('\\bCould not find user\\b'), files);
    expect(changed.file).toBe('user-gone.md');
    expect(changed.guidance.frontMatter.version).toBe(2);
    const after = await loadGuidanceDir(dir);
    expect(after.files.map((f) => [f.file, f.edited, f.guidance.frontMatter.version])).toEqual([
      ['user-gone.md', false, 2],
    ]);
    expect((await readdir(dir)).sort()).toEqual(['.aoi-written.json', 'user-gone.md']);
  });

  it('never overwrites a file edited by hand: the new version goes to a new file', async () => {
    const saved = await saveDraft(dir, draft(), []);
    const edited = (await readFile(saved.path, 'utf8')).replace('# Body', '# Body\n\nMy own note.');
    await writeFile(saved.path, edited);
    const { files } = await loadGuidanceDir(dir);
    expect(files[0]!.edited).toBe(true);
    const next = await saveDraft(dir, draft(), files);
    expect(next.file).toBe('user-gone-v2.md');
    expect(next.guidance.frontMatter).toMatchObject({ id: 'user-gone-v2', version: 2 });
    expect(await readFile(saved.path, 'utf8')).toBe(edited);
    expect(await updateStatus(dir, files[0]!, { status: 'retired' })).toBeUndefined();
    expect(await readFile(saved.path, 'utf8')).toBe(edited);
  });

  it('keeps every hash when many files are written at once (the index is updated under a lock)', async () => {
    const texts = Array.from({ length: 24 }, (_, i) =>
      renderGuidance({ ...draft(), frontMatter: { ...draft().frontMatter, id: `note-${i}` } }),
    );
    await Promise.all(texts.map((text, i) => writeImported(dir, `note-${i}.md`, text)));
    const { files } = await loadGuidanceDir(dir);
    expect(files).toHaveLength(24);
    expect(files.filter((f) => f.edited).map((f) => f.file)).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.endsWith('.lock'))).toEqual([]);
  });

  it('reports invalid files instead of dropping them silently', async () => {
    await writeFile(join(dir, 'bad.md'), '# no front matter\n');
    const { files, invalid } = await loadGuidanceDir(dir);
    expect(files).toEqual([]);
    expect(invalid[0]!.error).toMatch(/must start with a "---" front matter line/);
  });
});

describe('guidance retrieval', () => {
  const userGone = [item(1, 'db', 'AuthErrors', { excerpt: 'UserNotFound: Could not find user' })];
  const revoked = [item(1, 'db', 'AuthErrors', { excerpt: 'not authorized on db' })];

  it('scores by the share of signals present and whether the log pattern matches', () => {
    expect(scoreGuidance(draft(), userGone)).toBe(1);
    expect(scoreGuidance(draft(), revoked)).toBe(0.7);
    expect(scoreGuidance(draft(), [item(1, 'db', 'CrashLoopBackOff')])).toBe(0);
  });

  it('returns only promoted or hand-written notes, best first, bounded', () => {
    const promoted = draft(undefined, 'promoted');
    const candidate = { ...draft(), frontMatter: { ...draft().frontMatter, id: 'cand' } };
    const { status: _status, ...handFm } = { ...promoted.frontMatter, id: 'hand', hints: [] };
    const hand: Guidance = { frontMatter: handFm, body: '' };
    const picked = retrieveGuidance([candidate, hand, promoted], userGone);
    expect(picked.map((g) => [g.id, g.score])).toEqual([
      ['hand', 1],
      ['user-gone', 1],
    ]);
    expect(retrieveGuidance([candidate, hand, promoted], userGone, { limit: 1 })).toHaveLength(1);
    expect(retrieveGuidance([promoted], [item(1, 'db', 'OOMKilled')])).toEqual([]);
  });
});
