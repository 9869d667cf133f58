import type { ActionProposal } from '../../core/actions.js';
import type { ActionHandler, HandlerFor } from './types.js';
import {
  patchNodeSelector,
  rollbackDeployment,
  scaleDeployment,
  setCommand,
  setEnv,
  setImage,
} from './deployment.js';
import { setConfigValue } from './config.js';
import { setProbe, setResources } from './container-spec.js';
import { kubectl } from './kubectl.js';
import { deletePod } from './pod.js';
import { rolloutRestart } from './restart.js';
import { patchService } from './service.js';
import { releaseVolume } from './volume.js';

const HANDLERS: { [K in ActionProposal['kind']]: HandlerFor<K> } = {
  scaleDeployment,
  rolloutRestart,
  deletePod,
  patchService,
  setImage,
  setCommand,
  setEnv,
  rollbackDeployment,
  patchNodeSelector,
  kubectl,
  setConfigValue,
  releaseVolume,
  setResources,
  setProbe,
};

export function handlerFor<A extends ActionProposal>(action: A): ActionHandler<A> {
  return HANDLERS[action.kind] as unknown as ActionHandler<A>;
}

export type {
  ActionHandler,
  BlastRadius,
  Check,
  DryRunOutcome,
  DryRunResult,
  KubeObject,
  ExecutorClients,
  KubectlTarget,
  PreImage,
} from './types.js';
export { runKubectl } from './kubectl.js';
