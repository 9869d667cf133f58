import { describe, expect, it } from 'vitest';
import { limitReplicas, resourceReplicas } from '../../../aiopslab-harness/sim/controller/autoscaler-math.js';

const pod = (name: string, requestMilli: number, usageMilli?: number) => ({
  name,
  requestMilli,
  ...(usageMilli === undefined ? {} : { usageMilli }),
});

describe("the HPA controller's arithmetic (replica_calculator.go, horizontal.go)", () => {
  it('scales by ceil(ready × utilisation / target) outside the 10% tolerance, and not inside it', () => {
    // 2 pods at 150% of a 200m request against 60%: ceil(2 × 2.5) = 5.
    const up = resourceReplicas([pod('a', 200, 300), pod('b', 200, 300)], 2, 60);
    expect(up).toMatchObject({
      replicas: 5,
      status: { resource: { current: { averageUtilization: 150, averageValue: '300m' } } },
    });
    // 64% against 60% is within 10%: keep the count.
    expect(resourceReplicas([pod('a', 100, 64), pod('b', 100, 64)], 2, 60)).toMatchObject({ replicas: 2 });
    // 30% against 60%: ceil(4 × 0.5) = 2.
    expect(
      resourceReplicas(
        [1, 2, 3, 4].map((i) => pod(`p${i}`, 100, 30)),
        4,
        60,
      ),
    ).toMatchObject({
      replicas: 2,
    });
  });

  it('counts pods not yet ready as using nothing when scaling up, so they do not trigger more', () => {
    // 2 ready at 90% and 2 starting, 60% target: 180 / 400 = 45% → below target, keep 4.
    const pods = [pod('a', 100, 90), pod('b', 100, 90), pod('c', 100), pod('d', 100)];
    expect(resourceReplicas(pods, 4, 60)).toMatchObject({ replicas: 4 });
    // 2 ready at 300%: 600 / 400 = 150% of request → ceil(2.5 × 4) = 10.
    const hot = [pod('a', 100, 300), pod('b', 100, 300), pod('c', 100), pod('d', 100)];
    expect(resourceReplicas(hot, 4, 60)).toMatchObject({ replicas: 10 });
  });

  it('reports no metrics when no pod is ready', () => {
    expect(resourceReplicas([pod('a', 100)], 1, 60)).toEqual({
      error: 'did not receive metrics for targeted pods (pods might be unready)',
    });
  });

  it('clamps to maxReplicas (TooManyReplicas), minReplicas (TooFewReplicas) and max(2 × current, 4) per step', () => {
    expect(limitReplicas(2, 5, 1, 2)).toEqual({
      desired: 2,
      limited: true,
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
    expect(limitReplicas(3, 0, 1, 5)).toMatchObject({ desired: 1, limited: true, reason: 'TooFewReplicas' });
    expect(limitReplicas(3, 20, 1, 50)).toMatchObject({ desired: 6, limited: true, reason: 'ScaleUpLimit' });
    expect(limitReplicas(1, 3, 1, 10)).toEqual({
      desired: 3,
      limited: false,
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    });
  });
});
