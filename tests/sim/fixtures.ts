import type { AppSpec } from '../../aiopslab-harness/sim/apps/types.js';

/** A two-service app small enough to reason about in controller tests. */
export const tinyApp: AppSpec = {
  name: 'tiny',
  defaultNamespace: 'tiny',
  componentLabel: 'app',
  components: [
    {
      name: 'web',
      workload: 'Deployment',
      role: 'frontend',
      replicas: 2,
      containerName: 'web',
      image: 'example/tiny:1.0',
      command: ['web'],
      ports: [{ name: 'http', port: 80, containerPort: 8080 }],
      resources: { requests: { cpu: '100m', memory: '64Mi' } },
      calls: ['db'],
      startupLogs: ['web starting on {port}', 'connected to db'],
      steadyLogs: ['GET /healthz 200', 'GET /api 200'],
    },
    {
      name: 'db',
      workload: 'StatefulSet',
      role: 'database',
      containerName: 'db',
      image: 'mongo:4.4.6',
      ports: [{ name: 'mongo', port: 27017, containerPort: 27017 }],
      storage: { size: '1Gi', mountPath: '/data/db' },
      calls: [],
      startupLogs: ['Waiting for connections'],
      steadyLogs: ['Connection accepted'],
    },
  ],
};
