/**
 * A minimal POSIX ustar archive of flat, regular files, gzipped: enough to share a guidance library. The
 * reader accepts only what the writer makes (regular files with plain names, sizes bounded) and checks
 * every header's checksum, so a hostile archive cannot write outside the library or exhaust memory.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { AoiError } from '../core/errors.js';

const BLOCK = 512;
const MAX_FILE = 1024 * 1024;
const MAX_TOTAL = 32 * 1024 * 1024;
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface TarEntry {
  name: string;
  data: Buffer;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'binary');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** gzip(ustar) of the entries, in the order given. */
export function writeTarGz(entries: readonly TarEntry[], mtime: Date): Buffer {
  const seconds = Math.floor(mtime.getTime() / 1000);
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (!SAFE_NAME.test(entry.name)) throw new AoiError('internal', `unsafe archive name ${entry.name}`);
    parts.push(header(entry.name, entry.data.length, seconds), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts));
}

const field = (h: Buffer, start: number, length: number) =>
  h
    .subarray(start, start + length)
    .toString('utf8')
    .replace(/\0.*$/s, '');

function readOctal(h: Buffer, start: number, length: number, what: string, archive: string): number {
  const text = field(h, start, length).trim();
  if (!/^[0-7]+$/.test(text)) throw bad(archive, `its ${what} field is not an octal number`);
  return parseInt(text, 8);
}

const bad = (archive: string, why: string) =>
  new AoiError('config', `${archive}: not a guidance archive (${why})`, {
    hint: 'Import only archives made by `aoi guidance export`.',
  });

export function readTarGz(gz: Buffer, archive: string): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: MAX_TOTAL });
  } catch (error) {
    throw bad(archive, `gzip: ${(error as Error).message}`);
  }
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) return entries;
    const stored = readOctal(h, 148, 8, 'checksum', archive);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== stored) throw bad(archive, `header ${entries.length + 1} fails its checksum`);
    const name = field(h, 0, 100);
    const prefix = field(h, 345, 155);
    const type = String.fromCharCode(h[156]!);
    if (prefix !== '' || !SAFE_NAME.test(name))
      throw bad(archive, `entry name "${prefix}${name}" is not a plain file name`);
    if (type !== '0' && type !== '\0') throw bad(archive, `${name} is not a regular file`);
    const size = readOctal(h, 124, 12, 'size', archive);
    if (size > MAX_FILE) throw bad(archive, `${name} is larger than ${MAX_FILE} bytes`);
    const start = offset + BLOCK;
    if (start + size > tar.length) throw bad(archive, `${name} is cut short`);
    if (entries.some((e) => e.name === name)) throw bad(archive, `${name} appears twice`);
    entries.push({ name, data: Buffer.from(tar.subarray(start, start + size)) });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw bad(archive, 'it has no end-of-archive blocks');
}
