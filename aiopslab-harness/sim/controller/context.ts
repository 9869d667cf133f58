import type { SimClock } from '../clock.js';
import type { SeededRandom } from '../random.js';
import type { ObjectStore } from '../store.js';
import type { LogStore } from '../logs.js';
import type { BehaviourHook, SimWorld } from '../runtime.js';
import type { EventRecorder } from './events.js';

/** What every controller of the simulated control plane shares. */
export interface ControllerContext {
  store: ObjectStore;
  clock: SimClock;
  random: SeededRandom;
  events: EventRecorder;
  logs: LogStore;
  world: SimWorld;
  hooks: BehaviourHook[];
}
