import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/core/evidence.js';
import type { SimServer } from '../../aiopslab-harness/sim/index.js';
import { SimServer as Server } from '../../aiopslab-harness/sim/index.js';
import { R } from '../../aiopslab-harness/sim/faults/topology.js';
import { flagsOf, isOn, mongoTlsRequirement, ownerOfFlag } from '../../src/observer/analyzers/config.js';
import type { ClusterReader } from '../../src/observer/cluster-reader.js';
import { extractTemplates } from '../../src/observer/log-templates.js';
import { observe } from '../../src/observer/observe.js';
import { apiReader, metricsOf, prepareCluster, startScenario } from './sim-helpers.js';

let server: SimServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ASTRONOMY = 'astronomy-shop';

async function evidenceOf(
  scenario: Parameters<typeof startScenario>[0],
  wrap: (r: ClusterReader) => ClusterReader = (r) => r,
): Promise<Evidence[]> {
  const started = await startScenario(scenario);
  server = started.server;
  const result = await observe(wrap(apiReader(server)), {
    namespace: started.namespace,
    metrics: metricsOf(server),
    maxEvidenceTokens: 20_000,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value.evidence;
}

const flag = (name: string) => ({ app: ASTRONOMY, fault: 'feature_flag', params: { flag: name } });

describe('FeatureFlagOn: flagd flag files in ConfigMaps', () => {
  it('reports an enabled flag with where it is set and the workload it names', async () => {
    const evidence = await evidenceOf(flag('adFailure'));
    const on = evidence.filter((e) => e.signal === 'FeatureFlagOn');
    expect(on).toHaveLength(1);
    expect(on[0]).toMatchObject({
      source: 'kubernetes',
      severity: 'warning',
      subject: { kind: 'ConfigMap', name: 'flagd-config', namespace: ASTRONOMY },
      component: 'ad',
      attributes: {
        configMap: 'flagd-config',
        key: 'demo.flagd.json',
        flag: 'adFailure',
        variant: 'on',
        path: 'flags.adFailure.defaultVariant',
      },
    });
  });

  it('reports nothing while every flag is off', async () => {
    const evidence = await evidenceOf({ app: ASTRONOMY });
    expect(evidence.filter((e) => e.signal === 'FeatureFlagOn')).toEqual([]);
  });

  it('a forbidden ConfigMap list is a gap, not a failure', async () => {
    const evidence = await evidenceOf(flag('adFailure'), (r) => ({
      ...r,
      transport: r.transport,
      requestCount: () => r.requestCount(),
      list: (kind, ns) =>
        kind === 'configmaps'
          ? Promise.resolve({ ok: false, error: { code: 'forbidden', message: 'HTTP 403' } })
          : r.list(kind, ns),
    }));
    expect(evidence.some((e) => e.signal === 'FeatureFlagOn')).toBe(false);
    expect(evidence.find((e) => e.signal === 'gap' && e.subject.name === 'configmaps')).toBeDefined();
  });

  it.each([
    ['adFailure', 'ad'],
    ['kafkaQueueProblems', 'kafka'],
    ['productCatalogFailure', 'product-catalog'],
    ['loadGeneratorFloodHomepage', 'load-generator'],
    ['userServiceSlow', 'user-service'],
    ['imageSlowLoad', undefined],
  ])('flag %s belongs to %s', (name, owner) => {
    const workloads = ['ad', 'kafka', 'product-catalog', 'load-generator', 'user-service', 'frontend'];
    expect(ownerOfFlag(name, workloads)).toBe(owner);
  });

  it('recognises flag documents by shape and on-values by type', () => {
    expect(
      flagsOf('{"flags": {"a": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}'),
    ).toMatchObject({ a: { defaultVariant: 'on' } });
    expect(flagsOf('{"flags": {"a": {"variants": {"on": true}}}}')).toBeUndefined();
    expect(flagsOf('{"feature": true}')).toBeUndefined();
    expect(flagsOf('not json')).toBeUndefined();
    expect([true, 1, 0.5, 'on', '10sec'].map(isOn)).toEqual([true, true, true, true, true]);
    expect([false, 0, 'off', 'false', '0', { a: 1 }].map(isOn)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('TlsRequired: mongod.conf in ConfigMaps', () => {
  it('is an error, on the database that mounts it, once mongod turns plain clients away', async () => {
    const evidence = await evidenceOf({
      app: 'social-network',
      fault: 'auth_miss_mongodb',
      target: 'url-shorten-mongodb',
    });
    const tls = evidence.filter((e) => e.signal === 'TlsRequired');
    expect(tls).toHaveLength(1);
    expect(tls[0]).toMatchObject({
      severity: 'error',
      component: 'url-shorten-mongodb',
      subject: { kind: 'ConfigMap', name: 'url-shorten-mongodb' },
      attributes: {
        configMap: 'url-shorten-mongodb',
        key: 'mongod.conf',
        path: 'net.tls.mode',
        value: 'requireTLS',
      },
    });
    expect(evidence.indexOf(tls[0]!)).toBeLessThan(3);
  });

  it('is only info while no client complains (mongod has not reloaded it)', async () => {
    const { cluster, namespace } = prepareCluster({ app: 'social-network' });
    cluster.store.mutate(R.configmaps, namespace, 'user-mongodb', (cm) => {
      (cm['data'] as Record<string, string>)['mongod.conf'] = stringify({
        net: { ssl: { mode: 'requireSSL' } },
      });
    });
    server = await Server.start({ cluster });
    const result = await observe(apiReader(server), { namespace, maxEvidenceTokens: 20_000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const tls = result.value.evidence.filter((e) => e.signal === 'TlsRequired');
    expect(tls).toMatchObject([
      {
        severity: 'info',
        component: 'user-mongodb',
        attributes: { path: 'net.ssl.mode', value: 'requireSSL', key: 'mongod.conf' },
      },
    ]);
  });

  it('reads net.tls.mode and net.ssl.mode, and nothing else', () => {
    expect(mongoTlsRequirement('net:\n  tls:\n    mode: requireTLS\n')).toEqual({
      path: 'net.tls.mode',
      value: 'requireTLS',
    });
    expect(mongoTlsRequirement('net:\n  tls:\n    mode: preferTLS\n')).toBeUndefined();
    expect(mongoTlsRequirement('net: [')).toBeUndefined();
  });
});

describe('own errors of a component', () => {
  it('counts .NET `fail:` and `crit:` lines as errors and `warn:` as warnings', () => {
    const levels = extractTemplates(
      [
        "fail: cart.cartstore.ValkeyCartStore[0] EmptyCartAsync: Wasn't able to connect to redis",
        'crit: Microsoft.AspNetCore.Hosting[7] host crashed',
        'warn: Microsoft.AspNetCore.DataProtection[35] No XML encryptor configured',
        'info: cart.cartstore.ValkeyCartStore[0] GetCartAsync called with userId=1',
        'info: app.Policy[0] retry=fail:fast',
      ].join('\n'),
    ).map((t) => [t.example.slice(0, 5), t.level]);
    expect(levels).toEqual([
      ['fail:', 'error'],
      ['crit:', 'error'],
      ['warn:', 'warn'],
      ['info:', 'info'],
      ['info:', 'info'],
    ]);
  });

  it('cartFailure: cart shows its own failing calls (logs and server-side error ratio)', async () => {
    const evidence = await evidenceOf(flag('cartFailure'));
    const own = evidence.filter((e) => e.component === 'cart' && e.signal !== 'CallerErrors');
    expect(own.map((e) => e.signal)).toEqual(expect.arrayContaining(['ErrorLogs', 'ErrorRateHigh']));
    expect(own.find((e) => e.signal === 'ErrorLogs')?.severity).toBe('error');
  });

  it('paymentUnreachable: checkout dials an unknown host; payment has no errors of its own', async () => {
    const evidence = await evidenceOf(flag('paymentUnreachable'));
    const dns = evidence.filter((e) => e.signal === 'UnknownHost');
    expect(dns).toMatchObject([
      { component: 'checkout', severity: 'error', attributes: { host: 'badAddress' } },
    ]);
    const payment = evidence.filter(
      (e) => e.component === 'payment' && !['CallerErrors', 'FeatureFlagOn'].includes(e.signal),
    );
    expect(payment).toEqual([]);
  });
});
