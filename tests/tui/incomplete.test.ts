import { describe, expect, it } from 'vitest';
import { endNotice } from '../../src/tui/model.js';

describe('the incident screen after a look that could not read everything', () => {
  it('says INCOMPLETE and what could not be read, never "healthy"', () => {
    const end = { detected: false, resolved: null, rounds: null, remaining: 0 };
    expect(endNotice({ ...end, unread: ['events', 'configmaps'] })).toBe(
      'INCOMPLETE: no fault found in what was read; could not read events, configmaps',
    );
    expect(endNotice({ ...end, unread: [] })).toBe('healthy: no fault found');
  });
});
