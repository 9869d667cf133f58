/**
 * The reasoner's one-line live status on a terminal's stderr (phase, step, tokens/s), redrawn in place and
 * cleared when the model is done. Never on stdout, so `--output json` stays clean; nothing when stderr is
 * not a terminal.
 */
import type { OllamaProgress } from '../reasoner/ollama-backend.js';

const REDRAW_MS = 100;

export function progressLine(stream: NodeJS.WritableStream): ((p: OllamaProgress) => void) | undefined {
  if (!(stream as { isTTY?: boolean }).isTTY) return undefined;
  let last = 0;
  let shown = false;
  return (p) => {
    if (p.phase === 'done') {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
      return;
    }
    const now = Date.now();
    if (shown && now - last < REDRAW_MS) return;
    last = now;
    shown = true;
    const speed = p.tokensPerSecond > 0 ? `, ${p.tokensPerSecond.toFixed(1)} tokens/s` : '';
    stream.write(`\r\x1b[2Kaoi: reason: ${p.phase}, step ${p.step}/${p.maxSteps}${speed}`);
  };
}
