/**
 * slow_start_liveness: a liveness probe on the right port, timed for an app that starts at once, on an app that
 * now takes tens of seconds to listen (`params.startSeconds`, default 40: a JVM loading its agent, a MongoDB
 * recovering a large journal into a big cache). The probe's budget (initialDelaySeconds 5, then 3 failures 5 s
 * apart: killed at 15 s) runs out first, so every start ends the same way: `Unhealthy` "Liveness probe
 * failed: dial tcp …: connect: connection refused", `Killing` "Container … failed liveness probe, will be
 * restarted", exit 143, CrashLoopBackOff; the logs stop mid-start each time.
 *
 * Fix (what an SRE does, https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 * "Protect slow starting containers with startup probes"): a startupProbe on the same endpoint with
 * failureThreshold × periodSeconds covering the start, or a liveness initialDelaySeconds past it. Restarting
 * changes nothing; neither does pointing the probe elsewhere.
 */
import type { Deployment } from '../model.js';
import { setStartUpTime } from '../controller/start-up.js';
import type { Injector } from './util.js';
import { componentOf, faultError, param, patchDeployment, reapplyDeployment, targetOf } from './util.js';

export const slowStartLiveness: Injector = (cluster, namespace, fault) => {
  const target = targetOf(fault);
  const component = componentOf(cluster, namespace, target);
  const port = component.ports[0]?.containerPort;
  if (port === undefined) throw faultError(`slow_start_liveness: ${component.name} listens on no port`);
  const startSeconds = Number(param(fault, 'startSeconds') ?? 40);
  if (!(startSeconds > 15 && startSeconds <= 240))
    throw faultError('slow_start_liveness: startSeconds is above 15 (the probe budget) and at most 240');
  const via = param(fault, 'via') ?? 'apply';
  if (via !== 'apply' && via !== 'rollout') throw faultError('slow_start_liveness: via is apply or rollout');
  setStartUpTime(cluster.world, namespace, component.name, startSeconds * 1000);
  const probe = {
    tcpSocket: { port },
    initialDelaySeconds: 5,
    periodSeconds: 5,
    timeoutSeconds: 1,
    failureThreshold: 3,
  };
  (via === 'apply' ? reapplyDeployment : patchDeployment)(cluster, namespace, target, (d: Deployment) => {
    const c = d.spec.template.spec.containers.find((x) => x.name === component.containerName);
    if (!c) throw faultError(`deployment ${target} has no container ${component.containerName}`);
    c.livenessProbe = probe;
  });
};
