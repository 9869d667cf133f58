export { SimCluster } from './cluster.js';
export type { ClusterOptions } from './cluster.js';
export { SimServer } from './server/http.js';
export type { RequestLogEntry, SimServerOptions } from './server/http.js';
export type { Tokens } from './server/auth.js';
export { renderKubeconfig, OBSERVER_CONTEXT, EXECUTOR_CONTEXT, NOBODY_CONTEXT } from './kubeconfig.js';
export type { KubeconfigOptions } from './kubeconfig.js';
export { getApp, appNames } from './apps/index.js';
