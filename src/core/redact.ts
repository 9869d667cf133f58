/**
 * Masks secrets in text before anything leaves the observer: auth headers, JWTs, cloud keys, private key
 * blocks, secret-looking key/value pairs, credentials in connection strings and long high-entropy strings.
 * Keys, user names and hosts stay; only the secret part becomes `[REDACTED]`.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  '[\\w.-]{0,40}?(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[\\w.-]{0,40}';
const KEY_VALUE = new RegExp(
  `(["']?)(${SECRET_KEY})\\1(\\s*[:=]\\s*)(?!\\[REDACTED\\])("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,;&"'}\\])]+)`,
  'gi',
);
const FLAG_VALUE = new RegExp(`(--(?:${SECRET_KEY})\\s+)(?!-)(?!\\[REDACTED\\])(\\S+)`, 'gi');
const PRIVATE_KEY =
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*/g;
// Bounded repeats keep every pattern linear on long unbroken input.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,20}:\/\/)([^\s:/?#@'"]{0,256}):([^\s@/'"]{1,256})@/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
const AWS_KEY = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g;
const CANDIDATE = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
/** Long strings that are identifiers, not secrets: digests, container ids, trace and span ids. */
const KEEP_AFTER =
  /(?:(?:sha1|sha256|sha512|containerd|docker|cri-o):(?:\/\/)?|\b(?:trace|span)[_-]?(?:id)?["']?\s*[:= ]\s*["']?)$/i;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function randomLooking(s: string, minLength: number): boolean {
  if (s.length < minLength || !/[0-9]/.test(s) || !/[A-Za-z]/.test(s)) return false;
  // Hex carries at most 4 bits a character, so it gets a lower bar than base64.
  return entropy(s) >= (/^[0-9a-fA-F]+$/.test(s) ? 3 : 3.5);
}

/** A Kind word or a DNS name: `Pod/test-social/user-service-7d9f8c6b5-abcde` is a path of these. */
const OBJECT_PATH_SEGMENT = /^(?:[A-Z][A-Za-z]*|[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)$/;

function isObjectPath(token: string): boolean {
  const parts = token.split('/');
  return parts.length > 1 && parts.every((part) => OBJECT_PATH_SEGMENT.test(part));
}

function isSecretLike(token: string): boolean {
  // Whole token: mixed case plus digits is base64, never a Kubernetes name (those are lowercase).
  if (
    !token.startsWith('/') &&
    !isObjectPath(token) &&
    /[a-z]/.test(token) &&
    /[A-Z]/.test(token) &&
    randomLooking(token, 24)
  )
    return true;
  return token.split(/[-_/.+=]/).some((part) => randomLooking(part, 24));
}

function maskHighEntropy(text: string): string {
  return text.replace(CANDIDATE, (token: string, offset: number) => {
    if (KEEP_AFTER.test(text.slice(Math.max(0, offset - 16), offset))) return token;
    if (text.slice(offset - 1, offset + token.length + 1).includes(REDACTED)) return token;
    return isSecretLike(token) ? REDACTED : token;
  });
}

function maskValue(value: string, key = ''): string {
  if (/^["']?\**["']?$/.test(value)) return value;
  // A count of things ("tokens: 5") is no secret.
  if (/s$/i.test(key) && /^\d+$/.test(value)) return value;
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  return `${quote}${REDACTED}${quote}`;
}

/** Masks every secret this module knows how to spot; ordinary text comes back unchanged. */
export function redactText(text: string): string {
  if (text === '') return text;
  let out = text.replace(PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`);
  out = out.replace(AUTH_SCHEME, `$1$2${REDACTED}`);
  out = out.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  out = out.replace(JWT, REDACTED);
  out = out.replace(AWS_KEY, REDACTED);
  out = out.replace(
    KEY_VALUE,
    (_m, q: string, key: string, sep: string, value: string) =>
      `${q}${key}${q}${sep}${maskValue(value, key)}`,
  );
  out = out.replace(FLAG_VALUE, (_m, flag: string, value: string) => `${flag}${maskValue(value)}`);
  return maskHighEntropy(out);
}

const SECRET_ENV_NAME =
  /PASSWORD|PASSWD|PASSPHRASE|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|PRIVATE|DSN|CONN|CERT|COOKIE|SESSION|SALT/i;

/** An environment variable's value as the observer may show it: whole value masked when the name looks secret. */
export function redactEnvValue(name: string, value: string): string {
  if (SECRET_ENV_NAME.test(name)) return value === '' ? value : REDACTED;
  return redactText(value);
}
