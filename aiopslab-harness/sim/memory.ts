/**
 * How much memory an app's container needs: its working set. A container whose memory limit is below it is
 * killed by the kernel's OOM killer each time it grows to the limit (the kubelet then reports the
 * container terminated with reason OOMKilled and exit code 137, 128 + SIGKILL:
 * https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#exceed-a-containers-memory-limit).
 */
import type { ComponentRole, ComponentSpec } from './apps/types.js';
import { parseMemory } from './model.js';

/** A typical working set by role when the app's manifest states nothing (telemetry's gauge uses the same). */
export const DEFAULT_MEMORY: Readonly<Record<ComponentRole, number>> = {
  frontend: 96 * 2 ** 20,
  service: 48 * 2 ** 20,
  database: 320 * 2 ** 20,
  cache: 64 * 2 ** 20,
  infra: 128 * 2 ** 20,
};

/**
 * The peak working set of a component as its own manifest sizes it: 70% of the limit its authors gave it
 * (the demo chart sizes limits with headroom), else 75% of its request or of the role's typical figure.
 */
export function memoryNeedBytes(component: ComponentSpec): number {
  const limit = parseMemory(component.resources?.limits?.memory);
  if (limit > 0) return Math.round(limit * 0.7);
  const request = parseMemory(component.resources?.requests?.memory);
  return Math.round((request || DEFAULT_MEMORY[component.role]) * 0.75);
}

/** Bytes as the Mi quantity a manifest would carry, rounded down (never below 1Mi). */
export function mebibytes(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / 2 ** 20))}Mi`;
}
