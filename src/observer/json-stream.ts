/** Splits text holding JSON values one after another (as `kubectl get --watch -o json` prints them). */
export function splitJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0 && start >= 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          // A value cut off or mangled: skip it, keep the rest.
        }
        start = -1;
      }
    }
  }
  return values;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Parses a Kubernetes list body as it arrives: each element of the top-level `items` array is parsed on its own
 * and handed to `onItem` (which keeps what it needs), so the whole body is never held. Everything else
 * (`metadata`, `kind`, …) is kept and parsed at the end, with `items` empty. Works on bytes: the structural
 * characters are ASCII, so a chunk boundary inside a multi-byte character does no harm.
 */
export class ListBodyParser {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level `items` array. */
  private inItems = false;
  /** The bytes of the item being read, when it spans chunks. */
  private parts: Buffer[] = [];
  private itemStart = -1;
  private rest: Buffer[] = [];
  private failed: string | undefined;

  constructor(private readonly onItem: (item: unknown) => void) {}

  write(chunk: Buffer): void {
    if (this.failed !== undefined) return;
    let restStart = this.inItems ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString) {
        i = this.skipString(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        if (this.inItems && this.depth === 3) this.itemStart = i;
        else if (this.depth === 2 && c === OPEN_BRACKET && this.atItemsKey(chunk, restStart, i)) {
          // Keep `[` in the rest; the items themselves go to onItem.
          this.rest.push(chunk.subarray(restStart, i + 1));
          restStart = -1;
          this.inItems = true;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.inItems && this.depth === 2) this.endItem(chunk, i);
        else if (this.inItems && this.depth === 1) {
          this.inItems = false;
          restStart = i;
        }
      }
    }
    if (this.inItems && this.itemStart >= 0) {
      this.parts.push(chunk.subarray(this.itemStart));
      this.itemStart = 0;
    } else if (this.inItems) this.itemStart = -1;
    if (restStart >= 0) this.rest.push(chunk.subarray(restStart));
  }

  /** From `i` inside a string: the index of its closing quote (the string then ends), or the chunk's last byte. */
  private skipString(chunk: Buffer, i: number): number {
    let from = i;
    if (this.escaped) {
      this.escaped = false;
      from++;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, from);
      const stop = quote < 0 ? chunk.length : quote;
      let slashes = 0;
      while (stop - slashes - 1 >= from && chunk[stop - slashes - 1] === BACKSLASH) slashes++;
      if (quote < 0) {
        this.escaped = slashes % 2 === 1;
        return chunk.length - 1;
      }
      if (slashes % 2 === 0) {
        this.inString = false;
        return quote;
      }
      from = quote + 1;
    }
  }

  /** The list without its items, or a failure message. */
  end(): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
    if (this.failed !== undefined) return { ok: false, message: this.failed };
    try {
      const value = JSON.parse(Buffer.concat(this.rest).toString('utf8')) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value))
        return { ok: true, value: value as Record<string, unknown> };
      return { ok: false, message: 'the reply is not a JSON object' };
    } catch (error) {
      return { ok: false, message: `the reply is not JSON: ${(error as Error).message}` };
    }
  }

  private endItem(chunk: Buffer, i: number): void {
    const tail = chunk.subarray(this.itemStart < 0 ? 0 : this.itemStart, i + 1);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.itemStart = -1;
    try {
      this.onItem(JSON.parse(bytes.toString('utf8')));
    } catch (error) {
      this.failed = `an item is not JSON: ${(error as Error).message}`;
    }
  }

  /** Whether the text before this `[` (kept in `rest` and the chunk) ends with the key `"items":`. */
  private atItemsKey(chunk: Buffer, restStart: number, i: number): boolean {
    const before = chunk.subarray(Math.max(restStart, 0), i).toString('latin1');
    const text = before.length >= 16 ? before : this.restTail(16) + before;
    return /"items"\s*:\s*$/.test(text);
  }

  private restTail(n: number): string {
    const tail: Buffer[] = [];
    let size = 0;
    for (let j = this.rest.length - 1; j >= 0 && size < n; j--) {
      tail.unshift(this.rest[j]!);
      size += this.rest[j]!.length;
    }
    const last = Buffer.concat(tail);
    return last.subarray(Math.max(0, last.length - n)).toString('latin1');
  }
}
