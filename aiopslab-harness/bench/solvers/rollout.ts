import type { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** Wall-clock bound on one wait; at the bench's clock speed it covers several simulated minutes. */
const WAIT_MS = 20_000;
const POLL_MS = 100;

export async function restartRollout(apps: AppsV1Api, namespace: string, name: string): Promise<void> {
  const annotations = { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() };
  await apps.patchNamespacedDeployment(
    { name, namespace, body: { spec: { template: { metadata: { annotations } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
}

/** What `kubectl rollout status` waits for: the new template observed, updated everywhere and available. */
export async function rolloutStatus(apps: AppsV1Api, namespace: string, name: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name, namespace });
    const want = d.spec?.replicas ?? 1;
    const s = d.status ?? {};
    const done =
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      (s.updatedReplicas ?? 0) >= want &&
      (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) >= want;
    if (done) return;
    if (Date.now() > deadline) throw new Error(`deployment ${namespace}/${name} did not finish rolling out`);
    await sleep(POLL_MS);
  }
}

/**
 * Waits until no pod of the namespace is Terminating. `kubectl rollout status` is done once the old pods are
 * asked to stop (a ReplicaSet does not count terminating pods), while `kubectl get pods`, which AIOpsLab's
 * mitigation check reads, still lists them: an old pod crash-looping on its way out fails that check.
 */
export async function oldPodsGone(core: CoreV1Api, namespace: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const pods = await core.listNamespacedPod({ namespace });
    if (!pods.items.some((p) => p.metadata?.deletionTimestamp)) return;
    if (Date.now() > deadline) throw new Error(`pods of ${namespace} were still terminating`);
    await sleep(POLL_MS);
  }
}
