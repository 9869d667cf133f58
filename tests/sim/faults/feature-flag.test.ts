import { describe, expect, it } from 'vitest';
import { astronomyShop } from '../../../aiopslab-harness/sim/apps/astronomy-shop.js';
import type { SimCluster } from '../../../aiopslab-harness/sim/cluster.js';
import { injectFault } from '../../../aiopslab-harness/sim/faults/index.js';
import type { AppHealth } from '../../../aiopslab-harness/sim/health.js';
import {
  CONFIGMAPS,
  component,
  edge,
  expectHealthy,
  health,
  logs,
  pods,
  restarts,
  rolloutRestart,
  trouble,
  up,
} from './helpers.js';

const NS = astronomyShop.defaultNamespace;

function flagDoc(cluster: SimCluster): { flags: Record<string, { defaultVariant: string }> } {
  const data = cluster.store.peek(CONFIGMAPS, NS, 'flagd-config')!['data'] as Record<string, string>;
  return JSON.parse(data['demo.flagd.json']!) as { flags: Record<string, { defaultVariant: string }> };
}

function setVariant(cluster: SimCluster, flag: string, variant: string): void {
  cluster.store.mutate(CONFIGMAPS, NS, 'flagd-config', (cm) => {
    const data = cm['data'] as Record<string, string>;
    const doc = JSON.parse(data['demo.flagd.json']!) as { flags: Record<string, { defaultVariant: string }> };
    doc.flags[flag]!.defaultVariant = variant;
    data['demo.flagd.json'] = JSON.stringify(doc, null, 2);
  });
  cluster.reconcile();
}

interface Case {
  flag: string;
  target: string;
  variant: string;
  symptom: (h: AppHealth, cluster: SimCluster) => void;
}

const CASES: Case[] = [
  {
    flag: 'adFailure',
    target: 'ad',
    variant: 'on',
    symptom: (h, cluster) => {
      expect(edge(h, 'frontend', 'ad')).toMatchObject({ ok: false, errorRate: 0.1 });
      expect(logs(cluster, NS, 'ad', { sinceSeconds: 170 })).toContain('GetAds Failed with status');
    },
  },
  {
    flag: 'adHighCpu',
    target: 'ad',
    variant: 'on',
    symptom: (h) => {
      expect(component(h, 'ad').load.cpu).toBeGreaterThan(4);
      expect(edge(h, 'frontend', 'ad').latencyMs).toBeGreaterThan(300);
    },
  },
  {
    flag: 'adManualGc',
    target: 'ad',
    variant: 'on',
    symptom: (h, cluster) => {
      expect(component(h, 'ad').latencyMs).toBeGreaterThan(800);
      expect(logs(cluster, NS, 'ad', { sinceSeconds: 170 })).toContain('artificially triggered GCs');
    },
  },
  {
    flag: 'cartFailure',
    target: 'cart',
    variant: 'on',
    symptom: (h, cluster) => {
      expect(edge(h, 'checkout', 'cart').error).toContain("Can't access cart storage");
      // cart receives checkout's EmptyCart calls and fails them itself, logging at .NET's `fail:` level.
      expect(edge(h, 'checkout', 'cart').servedErrorRate).toBe(1);
      expect(edge(h, 'frontend', 'cart').ok).toBe(true);
      expect(component(h, 'checkout').errorRate).toBe(1);
      expect(logs(cluster, NS, 'cart', { sinceSeconds: 170 })).toContain(
        "fail: cart.cartstore.ValkeyCartStore[0]\n      Wasn't able to connect to redis",
      );
    },
  },
  {
    flag: 'imageSlowLoad',
    target: 'frontend',
    variant: '10sec',
    symptom: (h) => {
      // AIOpsLab's answer is the frontend: it serves the images slowly, image-provider stays fast.
      expect(component(h, 'frontend').latencyMs).toBeGreaterThanOrEqual(10_000);
      expect(edge(h, 'frontend-proxy', 'frontend').latencyMs).toBeGreaterThanOrEqual(10_000);
      expect(component(h, 'image-provider').latencyMs).toBeLessThan(10);
      expect(edge(h, 'frontend-proxy', 'image-provider').latencyMs).toBeLessThan(10);
    },
  },
  {
    flag: 'kafkaQueueProblems',
    target: 'kafka',
    variant: 'on',
    symptom: (h) => {
      expect(edge(h, 'accounting', 'kafka').latencyMs).toBeGreaterThanOrEqual(5_000);
      expect(edge(h, 'fraud-detection', 'kafka').latencyMs).toBeGreaterThanOrEqual(5_000);
      expect(component(h, 'kafka').load.requests).toBeGreaterThan(1);
      expect(component(h, 'kafka').load.cpu).toBeGreaterThan(4);
    },
  },
  {
    flag: 'loadGeneratorFloodHomepage',
    target: 'frontend',
    variant: 'on',
    symptom: (h) => expect(component(h, 'frontend').load.requests).toBeGreaterThan(5),
  },
  {
    flag: 'paymentFailure',
    target: 'payment',
    variant: '100%',
    symptom: (h, cluster) => {
      expect(edge(h, 'checkout', 'payment')).toMatchObject({ ok: false, errorRate: 1 });
      expect(edge(h, 'checkout', 'payment').error).toContain('Payment request failed. Invalid token.');
      expect(edge(h, 'frontend', 'checkout').ok).toBe(false);
      expect(logs(cluster, NS, 'checkout', { sinceSeconds: 170 })).toContain('call to payment failed');
      expect(logs(cluster, NS, 'payment', { sinceSeconds: 170 })).toContain('Payment request failed');
    },
  },
  {
    flag: 'paymentUnreachable',
    target: 'checkout',
    variant: 'on',
    symptom: (h) => {
      expect(edge(h, 'checkout', 'payment').error).toContain('lookup badAddress');
      expect(component(h, 'payment')).toMatchObject({ reachable: true, errorRate: 0 });
    },
  },
  {
    flag: 'productCatalogFailure',
    target: 'product-catalog',
    variant: 'on',
    symptom: (h) => {
      expect(edge(h, 'frontend', 'product-catalog').errorRate).toBeCloseTo(0.1);
      expect(edge(h, 'frontend', 'product-catalog').error).toContain(
        'Product Catalog Fail Feature Flag Enabled',
      );
    },
  },
  {
    flag: 'recommendationCacheFailure',
    target: 'recommendation',
    variant: 'on',
    symptom: (h) => {
      expect(component(h, 'recommendation').load.memory).toBeGreaterThan(1);
      expect(component(h, 'recommendation').latencyMs).toBeGreaterThanOrEqual(400);
    },
  },
];

describe('feature_flag on astronomy-shop', () => {
  it.each(CASES)('$flag: the services misbehave while the flag is $variant, pods stay Running', (c) => {
    const cluster = up(astronomyShop);
    const flagdBefore = pods(cluster, NS, 'flagd')[0]!.metadata.name;
    injectFault(cluster, NS, { kind: 'feature_flag', target: c.target, params: { flag: c.flag } });
    cluster.advance(180_000);
    expect(flagDoc(cluster).flags[c.flag]!.defaultVariant).toBe(c.variant);
    // flagd was restarted; nothing crashed or went Pending.
    expect(pods(cluster, NS, 'flagd')[0]!.metadata.name).not.toBe(flagdBefore);
    expect(trouble(cluster, NS)).toEqual({ pending: [], failing: [] });
    for (const pod of pods(cluster, NS)) expect(restarts(pod)).toBe(0);
    c.symptom(health(cluster, NS), cluster);
    // Wrong: restarting the service the flag acts on does not turn the flag off.
    rolloutRestart(cluster, NS, c.target);
    cluster.advance(30_000);
    expect(flagDoc(cluster).flags[c.flag]!.defaultVariant).toBe(c.variant);
    c.symptom(health(cluster, NS), cluster);
    // Right: the flag back to off.
    setVariant(cluster, c.flag, 'off');
    cluster.advance(30_000);
    expectHealthy(cluster, NS);
    for (const comp of health(cluster, NS).components)
      expect(comp.load, comp.name).toEqual({ cpu: 1, memory: 1, requests: 1 });
  });

  it('refuses a flag flagd-config does not define', () => {
    const cluster = up(astronomyShop);
    expect(() =>
      injectFault(cluster, NS, { kind: 'feature_flag', target: 'ad', params: { flag: 'noSuchFlag' } }),
    ).toThrow(/no flag noSuchFlag/);
  });
});
