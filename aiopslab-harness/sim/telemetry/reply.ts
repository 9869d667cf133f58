/** What a telemetry handler answers; the HTTP server writes it out. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export function json(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, contentType, body };
}
