/**
 * Changes the store cannot see: state inside containers (a MongoDB's users) changed in a namespace. Whoever
 * derives things from that state (the health timeline) listens here.
 */
import type { SimWorld } from '../runtime.js';

const listeners = new WeakMap<SimWorld, ((namespace: string) => void)[]>();

export function onInsideChange(world: SimWorld, listener: (namespace: string) => void): void {
  listeners.set(world, [...(listeners.get(world) ?? []), listener]);
}

export function insideChanged(world: SimWorld, namespace: string): void {
  for (const listener of listeners.get(world) ?? []) listener(namespace);
}
