import { describe, expect, it } from 'vitest';
import { text } from '../../../aiopslab-harness/sim/api/json.js';
import { hotelReservation } from '../../../aiopslab-harness/sim/apps/hotel-reservation.js';
import { socialNetwork } from '../../../aiopslab-harness/sim/apps/social-network.js';
import type { Deployment } from '../../../aiopslab-harness/sim/model.js';
import { clusterDnsReadyPods } from '../../../aiopslab-harness/sim/faults/dns-state.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import {
  DEPLOYMENTS,
  ENDPOINTS,
  SERVICES,
  component,
  expectHealthy,
  health,
  logs,
  rolloutRestart,
  up,
} from './helpers.js';

const HOTEL = hotelReservation.defaultNamespace;
const SOCIAL = socialNetwork.defaultNamespace;

function scaleDns(cluster: ReturnType<typeof up>, replicas: number): void {
  // kubectl -n kube-system scale deployment coredns --replicas=N
  cluster.store.mutate(DEPLOYMENTS, 'kube-system', 'coredns', (o) => {
    (o as unknown as Deployment).spec.replicas = replicas;
  });
  cluster.reconcile();
}

describe('cluster_dns_down', () => {
  it('installs CoreDNS as kind has it, then scaled to 0 every call by name fails at the lookup', () => {
    const cluster = up(hotelReservation);
    injectFault(cluster, HOTEL, { kind: 'cluster_dns_down' });
    cluster.advance(20_000);
    const svc = cluster.store.peek(SERVICES, 'kube-system', 'kube-dns')!;
    expect((svc['spec'] as { clusterIP: string }).clusterIP).toBe('10.96.0.10');
    expect(clusterDnsReadyPods(cluster.world)).toBe(2);
    expectHealthy(cluster, HOTEL);

    cluster.advance(60_000);
    expect(clusterDnsReadyPods(cluster.world)).toBe(0);
    expect(cluster.store.peek(ENDPOINTS, 'kube-system', 'kube-dns')!['subsets'] ?? []).toEqual([]);
    const h = health(cluster, HOTEL);
    const failing = h.edges.filter((e) => e.critical && !e.ok);
    expect(failing.length).toBe(h.edges.filter((e) => e.critical).length);
    const call = h.edges.find((e) => e.from === 'frontend' && e.to === 'search')!;
    expect(call.error).toMatch(
      /dial tcp: lookup search on 10\.96\.0\.10:53: read udp 10\.244\.\d+\.\d+:\d+->10\.96\.0\.10:53: read: connection refused/,
    );
    // The callees themselves are up: Ready and reachable by IP.
    expect(component(h, 'search').reachable).toBe(true);
    expect(component(h, 'search').ready).toBe(1);
    expect(logs(cluster, HOTEL, 'frontend')).toMatch(/lookup [a-z-]+ on 10\.96\.0\.10:53: read udp/);

    // Restarting the app changes nothing (and a restarted Go service cannot reach its database at start).
    rolloutRestart(cluster, HOTEL, 'frontend');
    cluster.advance(30_000);
    expect(health(cluster, HOTEL).edges.filter((e) => e.critical && !e.ok).length).toBeGreaterThan(0);

    scaleDns(cluster, 2);
    cluster.advance(30_000);
    expect(clusterDnsReadyPods(cluster.world)).toBe(2);
    expectHealthy(cluster, HOTEL);
  });

  it('speaks glibc to the C++ services', () => {
    const cluster = up(socialNetwork);
    injectFault(cluster, SOCIAL, { kind: 'cluster_dns_down', params: { afterMs: 1000 } });
    cluster.advance(30_000);
    const errors = health(cluster, SOCIAL)
      .edges.filter((e) => !e.ok)
      .map((e) => text(e.error));
    expect(
      errors.some((e) =>
        /TSocket::open\(\) getaddrinfo\(\) <Host: \S+ Port: \d+>: Temporary failure in name resolution/.test(
          e,
        ),
      ),
    ).toBe(true);
    expect(errors.some((e) => e.includes("[Failed to resolve '"))).toBe(true);
  });
});
