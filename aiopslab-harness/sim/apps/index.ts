import { hotelReservation } from './hotel-reservation.js';
import type { AppSpec } from './types.js';

const APPS: readonly AppSpec[] = [hotelReservation];

export function getApp(name: string): AppSpec | undefined {
  return APPS.find((app) => app.name === name);
}

export function appNames(): string[] {
  return APPS.map((app) => app.name);
}
