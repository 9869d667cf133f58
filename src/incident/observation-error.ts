import { AoiError } from '../core/errors.js';
import type { Failure } from '../core/errors.js';

/** What a failed observation (or kubeconfig) means to the person running aoi, and what to do about it. */
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
    case 'cluster-forbidden':
      return new AoiError('cluster-forbidden', `forbidden: ${failure.message}`, {
        hint: "The observer's identity lacks read RBAC here: apply what `aoi rbac` prints (or pick another --context or -n).",
      });
    case 'cluster-unreadable':
      return new AoiError('cluster-unreachable', failure.message, {
        hint: 'Check the server address in the kubeconfig and that the cluster is up; --verbose shows more.',
      });
    case 'no-kubeconfig':
      return new AoiError('config', failure.message, {
        hint: 'Pass --kubeconfig PATH or set KUBECONFIG; without a cluster, try `aoi diagnose --sim <problem>` or `aoi sim start`.',
      });
    case 'no-context':
      return new AoiError('config', failure.message, {
        hint: 'Choose one with `kubectl config use-context NAME`, or pass --context NAME.',
      });
    case 'config':
      return new AoiError('config', failure.message, {
        hint: 'Pass --kubeconfig PATH and --context NAME (`kubectl config get-contexts` lists them).',
      });
    default:
      return new AoiError('internal', `observation failed: ${failure.message}`, {
        hint: 'Run again; report it if it persists.',
      });
  }
}
