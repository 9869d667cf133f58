/**
 * feature_flag (astronomy-shop): the flag `params.flag` gets a non-off defaultVariant in ConfigMap
 * flagd-config (key demo.flagd.json), and flagd is restarted, as AIOpsLab does. The services read the
 * flag (flags.ts) and fail or slow down. Fix: set the flag's defaultVariant back to "off".
 */
import type { FlagDefinition } from './flags.js';
import { FLAGD_CONFIGMAP, FLAGD_KEY } from './flags.js';
import { R } from './topology.js';
import type { Injector } from './util.js';
import { faultError, param, rolloutRestart } from './util.js';

/** The variant AIOpsLab turns a flag to: `on` where there is one, else the first non-off (100%, 10sec). */
function faultyVariant(flag: FlagDefinition): string | undefined {
  const names = Object.keys(flag.variants);
  return names.includes('on') ? 'on' : names.find((n) => n !== 'off');
}

export const featureFlag: Injector = (cluster, namespace, fault) => {
  const name = param(fault, 'flag');
  if (!name) throw faultError('feature_flag needs params.flag');
  const found = cluster.store.mutate(R.configmaps, namespace, FLAGD_CONFIGMAP, (cm) => {
    const data = (cm['data'] ?? {}) as Record<string, string>;
    const doc = JSON.parse(data[FLAGD_KEY] ?? '{}') as { flags?: Record<string, FlagDefinition> };
    const flag = doc.flags?.[name];
    if (!flag) throw faultError(`flagd-config defines no flag ${name}`);
    const variant = param(fault, 'variant') ?? faultyVariant(flag);
    if (!variant || !(variant in flag.variants)) throw faultError(`flag ${name} has no variant ${variant}`);
    flag.defaultVariant = variant;
    data[FLAGD_KEY] = `${JSON.stringify(doc, null, 2)}\n`;
    cm['data'] = data;
  });
  if (!found) throw faultError(`namespace ${namespace} has no ConfigMap ${FLAGD_CONFIGMAP}`);
  if (cluster.store.peek(R.deployments, namespace, 'flagd')) rolloutRestart(cluster, namespace, 'flagd');
};
