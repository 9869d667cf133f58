import { ApiException } from '@kubernetes/client-node';

/** A short message for any failure; a Kubernetes Status body (a string in client-node 1.4) is unpacked. */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const code = error.code;
    try {
      const status = JSON.parse(String(error.body)) as { reason?: string; message?: string };
      return `${code} ${status.reason ?? ''}: ${status.message ?? ''}`.trim();
    } catch {
      return `HTTP ${code}`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}
