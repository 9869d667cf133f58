/**
 * client-node's KubeConfig for what the observer's own reader (kubeconfig.ts) hands over: exec plugins,
 * auth-provider, proxies, impersonation, and the executor, which uses client-node's API classes anyway.
 * Loaded only on those paths: the package costs ~800 modules at start-up.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Result } from '../core/errors.js';
import { fail, ok } from '../core/errors.js';
import type { KubeconfigOptions } from './kubeconfig.js';
import { readKubeconfig } from './kubeconfig.js';

/**
 * Builds client-node's KubeConfig from the same sources and context the observer's reader resolved, so the
 * failures (`no-kubeconfig`, `no-context`, `config`) are the reader's.
 */
export function loadKubeConfig(options: KubeconfigOptions): Result<KubeConfig> {
  const access = readKubeconfig(options);
  if (!access.ok) return access;
  const kc = new KubeConfig();
  try {
    if (access.value.files.length === 0) kc.loadFromCluster();
    else {
      kc.loadFromFile(access.value.files[0]!);
      for (const file of access.value.files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        // The first file's current context stands, as in kubectl.
        kc.mergeConfig(more, true);
      }
    }
    kc.setCurrentContext(access.value.context);
  } catch (error) {
    return fail('config', `cannot load the kubeconfig: ${(error as Error).message}`);
  }
  return ok(kc);
}
