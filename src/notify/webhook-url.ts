/**
 * A chat webhook URL is a credential: Slack's incoming-webhook URL carries its secret in the path
 * (https://hooks.slack.com/services/T…/B…/XXXX), others in the query or the user info. Only the scheme,
 * host and port are ever printed; every message that might hold the URL is scrubbed before it is logged.
 */
import { AoiError } from '../core/errors.js';

const HIDDEN = '/[REDACTED]';

/** `https://hooks.slack.com/[REDACTED]`: what logs, metrics and records may say about the URL. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' && !parsed.search ? '' : HIDDEN}`;
  } catch {
    return '[REDACTED URL]';
  }
}

/** `text` with the URL, its path, query and user info replaced by their redacted form. */
export function scrubUrl(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const parsed = new URL(url);
    const secrets = [
      `${parsed.pathname}${parsed.search}`,
      parsed.pathname,
      parsed.search,
      parsed.username,
      parsed.password,
    ].filter((s) => s.length > 1);
    for (const secret of secrets) out = out.split(secret).join(HIDDEN);
  } catch {
    // not a URL: only the whole string was replaced
  }
  return out;
}

/** Checks a --notify URL: http(s) only, so a typo fails at start, not after the first diagnosis. */
export function parseWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AoiError('usage', `--notify needs an http(s) URL, got ${redactUrl(url)}`, {
      hint: 'e.g. --notify https://hooks.slack.com/services/… (a Slack incoming webhook, or anything that takes its JSON)',
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new AoiError('usage', `--notify needs an http(s) URL, got ${parsed.protocol} (${redactUrl(url)})`, {
      hint: 'e.g. --notify https://hooks.slack.com/services/…',
    });
  return url;
}
