/** Colours as spreadable Text props, all empty under NO_COLOR (markers and layout carry the meaning). */
import { createContext, useContext } from 'react';
import type { Severity } from '../core/evidence.js';

export type Tone = 'red' | 'yellow' | 'green' | 'cyan' | 'gray' | 'magenta' | 'blue';

export interface Theme {
  color: boolean;
  tone(tone: Tone): { color?: Tone };
  severity(severity: Severity): { color?: Tone };
  strong(): { bold?: true };
}

export function makeTheme(color: boolean): Theme {
  const tone = (t: Tone) => (color ? { color: t } : {});
  return {
    color,
    tone,
    severity: (s) =>
      tone(s === 'critical' ? 'magenta' : s === 'error' ? 'red' : s === 'warning' ? 'yellow' : 'gray'),
    strong: () => (color ? { bold: true } : {}),
  };
}

/** NO_COLOR (any non-empty value, per no-color.org) turns colour off; so does a dumb terminal. */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

export const ThemeContext = createContext<Theme>(makeTheme(true));

export const useTheme = (): Theme => useContext(ThemeContext);
