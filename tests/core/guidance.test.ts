import { describe, expect, it } from 'vitest';
import { parseGuidance, renderGuidance } from '../../src/core/guidance.js';
import type { Guidance } from '../../src/core/guidance.js';

const guidance: Guidance = {
  frontMatter: {
    id: 'target-port-mismatch',
    title: 'Service targetPort does not match the container port',
    signals: ['TargetPortMismatch', 'ConnectionRefused'],
    faultTypes: ['Misconfiguration'],
    createdFrom: ['traj-2025-01-01-abc'],
    version: 2,
  },
  body: '## Checks\n\n- Compare `spec.ports[].targetPort` with the container ports.\n',
};

describe('guidance files', () => {
  it('round-trips', () => {
    const text = renderGuidance(guidance);
    expect(text.startsWith('---\nid: target-port-mismatch\n')).toBe(true);
    expect(parseGuidance(text, 'g.md')).toEqual(guidance);
    expect(renderGuidance(parseGuidance(text, 'g.md'))).toBe(text);
  });

  it('accepts CRLF line ends and an empty body', () => {
    const text = renderGuidance({ ...guidance, body: '' }).replace(/\n/g, '\r\n');
    expect(parseGuidance(text, 'g.md')).toEqual({ ...guidance, body: '' });
  });

  it.each([
    ['no front matter', '# Title\n', /^guide\.md: guidance must start with/],
    ['no closing fence', '---\nid: x\n', /^guide\.md: front matter has no closing/],
    ['broken YAML', '---\nid: x\ntitle: [a\n---\nbody\n', /^guide\.md:\d+:\d+: /],
    ['a missing field', '---\nid: x\ntitle: t\n---\n', /^guide\.md: invalid contents\n {2}signals: /],
    [
      'an unknown key',
      `${renderGuidance(guidance).replace('version: 2', 'version: 2\nowner: me')}`,
      /Unrecognized key: "owner"/,
    ],
    [
      'a bad fault type',
      renderGuidance(guidance).replace('- Misconfiguration', '- Typo'),
      /faultTypes\[0\]: Invalid option/,
    ],
  ])('rejects %s naming the file', (_label, text, message) => {
    expect(() => parseGuidance(text, 'guide.md')).toThrow(message);
  });

  it('reports YAML errors at the line in the file', () => {
    expect(() => parseGuidance('---\nid: a\nid: b\n---\n', 'guide.md')).toThrow(
      /^guide\.md:3:1: Map keys must be unique/,
    );
  });
});
