import { astronomyShop } from './astronomy-shop.js';
import { hotelReservation } from './hotel-reservation.js';
import { socialNetwork } from './social-network.js';
import type { AppSpec } from './types.js';

const APPS: readonly AppSpec[] = [hotelReservation, socialNetwork, astronomyShop];

export function getApp(name: string): AppSpec | undefined {
  return APPS.find((app) => app.name === name);
}

export function appNames(): string[] {
  return APPS.map((app) => app.name);
}
