import { AoiError } from '../core/errors.js';
import type { Failure } from '../core/errors.js';

/** What a failed observation means to the person running aoi, and what to do about it. */
export function observationError(failure: Failure): AoiError {
  switch (failure.code) {
    case 'cluster-unreachable':
      return new AoiError('cluster-unreachable', `cannot reach the cluster: ${failure.message}`, {
        hint: 'Check the server address in the kubeconfig and that the cluster is up.',
      });
    case 'cluster-denied':
      return new AoiError('cluster-denied', `the cluster rejected the credentials: ${failure.message}`, {
        hint: 'The token is expired or wrong: log in again (or re-run aoi sim start), or pick another --context.',
      });
    default:
      return new AoiError('internal', `observation failed: ${failure.message}`, {
        hint: 'Run again; report it if it persists.',
      });
  }
}
