/**
 * DeathStarBench's hotelReservation as AIOpsLab deploys it: Go gRPC services behind a frontend, each with
 * its MongoDB and (for profile, rate, reservation) a memcached, registered in consul and traced by jaeger.
 */
import type { AppSpec, ComponentSpec } from './types.js';

const IMAGE = 'yinfangchen/hotelreservation:latest';
const GO_RESOURCES = { requests: { cpu: '100m' }, limits: { cpu: '1' } };

interface GoService {
  name: string;
  port: number;
  calls: string[];
  database?: string;
  cache?: string;
  steadyLogs: string[];
}

/** Startup lines as the services' zerolog console writer prints them. */
function goStartupLogs(s: GoService): string[] {
  const src = `cmd/${s.name}`;
  const lines = [`{time} INF ${src}/main.go:23 > Reading config...`];
  if (s.database) {
    lines.push(
      `{time} INF ${src}/main.go:36 > Read database URL: ${s.database}:27017`,
      `{time} INF ${src}/main.go:37 > Initializing DB connection...`,
      `{time} INF ${src}/db.go:29 > New session successfull...`,
      `{time} INF ${src}/main.go:40 > Successfull`,
    );
  }
  if (s.cache) {
    lines.push(
      `{time} INF ${src}/main.go:45 > Read profile memcashed address: ${s.cache}:11211`,
      `{time} INF ${src}/main.go:46 > Initializing Memcashed client...`,
      `{time} INF ${src}/main.go:48 > Successfull`,
    );
  }
  lines.push(
    `{time} INF ${src}/main.go:52 > Read target port: {port}`,
    `{time} INF ${src}/main.go:53 > Read consul address: consul:8500`,
    `{time} INF ${src}/main.go:54 > Read jaeger address: jaeger:6831`,
    `{time} INF ${src}/main.go:63 > Initializing jaeger agent [service name: ${s.name} | host: jaeger:6831]...`,
    `{time} INF tracing/tracer.go:26 > Jaeger client: adjusted sample ratio 1.000000`,
    `{time} INF ${src}/main.go:70 > Jaeger agent initialized`,
    `{time} INF ${src}/main.go:72 > Initializing consul agent [host: consul:8500]...`,
    `{time} INF ${src}/main.go:77 > Consul agent initialized`,
    `{time} INF ${src}/main.go:88 > Starting server...`,
    `{time} INF registry/registry.go:91 > Trying to register service [ name: srv-${s.name}, id: {pod}, address: {pod}:{port} ]`,
    `{time} INF registry/registry.go:105 > Successfully registered in consul`,
  );
  return lines;
}

function goService(s: GoService): ComponentSpec {
  return {
    name: s.name,
    workload: 'Deployment',
    role: s.name === 'frontend' ? 'frontend' : 'service',
    containerName: `hotel-reserv-${s.name}`,
    image: IMAGE,
    command: [s.name],
    env: { JAEGER_SAMPLE_RATIO: '1' },
    ports: [{ name: String(s.port), port: s.port, containerPort: s.port }],
    resources: GO_RESOURCES,
    calls: [
      ...s.calls,
      ...(s.database ? [s.database] : []),
      ...(s.cache ? [s.cache] : []),
      'consul',
      'jaeger',
    ],
    startupLogs: goStartupLogs(s),
    steadyLogs: s.steadyLogs,
  };
}

/**
 * The MongoDBs AIOpsLab gives an init script (ConfigMap mongo-<owner>-script, mounted at
 * /docker-entrypoint-initdb.d beside its failure-admin-<owner> scripts): geo and rate. The script creates the
 * root user and the services' user with readWrite on <owner>-db; the others have no such mount.
 */
const INIT_SCRIPT_OWNERS = ['geo', 'rate'];

/** k8s-<owner>-mongo.sh: what the init script does, in the shape of AIOpsLab's (users admin/admin, root/root). */
function initScript(owner: string): string {
  return [
    '#!/bin/bash',
    `TARGET_DB="${owner}-db"`,
    'ADMIN_USER="admin"',
    'ADMIN_PWD="admin"',
    'ROOT_USER="root"',
    'ROOT_PWD="root"',
    'echo "Creating the root user..."',
    "mongo admin --eval \"db.createUser({user: '$ROOT_USER', pwd: '$ROOT_PWD', roles: [{role: 'root', db: 'admin'}]});\"",
    'echo "Creating the services\' user with readWrite on $TARGET_DB..."',
    "mongo admin -u $ROOT_USER -p $ROOT_PWD --authenticationDatabase admin --eval \"db.createUser({user: '$ADMIN_USER', pwd: '$ADMIN_PWD', roles: [{role: 'readWrite', db: '$TARGET_DB'}]});\"",
    "mongo admin -u $ROOT_USER -p $ROOT_PWD --authenticationDatabase admin --eval \"db.grantRolesToUser('$ADMIN_USER', [{role: 'readWrite', db: '$TARGET_DB'}]);\"",
    'echo "Initialization script completed"',
    '',
  ].join('\n');
}

function mongodb(owner: string): ComponentSpec {
  const script = INIT_SCRIPT_OWNERS.includes(owner);
  return {
    ...(script
      ? {
          configMapMounts: [
            {
              configMap: `mongo-${owner}-script`,
              volume: 'init-script',
              mountPath: '/docker-entrypoint-initdb.d',
            },
          ],
        }
      : {}),
    name: `mongodb-${owner}`,
    workload: 'Deployment',
    role: 'database',
    containerName: `hotel-reserv-${owner}-mongo`,
    image: 'mongo:4.4.6',
    args: ['--auth'],
    ports: [{ name: `mongodb-${owner}`, port: 27017, containerPort: 27017 }],
    resources: GO_RESOURCES,
    storage: { size: '1Gi', mountPath: '/data/db' },
    calls: [],
    startupLogs: [
      `{"t":{"$date":"{time}"},"s":"I",  "c":"CONTROL",  "id":23285,   "ctx":"main","msg":"Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'"}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"CONTROL",  "id":4615611, "ctx":"initandlisten","msg":"MongoDB starting","attr":{"pid":1,"port":27017,"dbPath":"/data/db","architecture":"64-bit","host":"{pod}"}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"CONTROL",  "id":23403,   "ctx":"initandlisten","msg":"Build Info","attr":{"buildInfo":{"version":"4.4.6"}}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"STORAGE",  "id":22315,   "ctx":"initandlisten","msg":"Opening WiredTiger","attr":{"config":"create,cache_size=15574M"}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"NETWORK",  "id":23015,   "ctx":"listener","msg":"Listening on","attr":{"address":"0.0.0.0"}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"NETWORK",  "id":23016,   "ctx":"listener","msg":"Waiting for connections","attr":{"port":27017,"ssl":"off"}}`,
    ],
    steadyLogs: [
      `{"t":{"$date":"{time}"},"s":"I",  "c":"NETWORK",  "id":22943,   "ctx":"listener","msg":"Connection accepted","attr":{"remote":"10.244.1.7:43210","connectionCount":3}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":"conn3","msg":"Authentication succeeded","attr":{"mechanism":"SCRAM-SHA-1","principalName":"admin","authenticationDatabase":"admin"}}`,
      `{"t":{"$date":"{time}"},"s":"I",  "c":"STORAGE",  "id":22430,   "ctx":"WTCheckpointThread","msg":"WiredTiger message","attr":{"message":"[1:0][1:WT_SESSION.checkpoint] saving checkpoint snapshot min: 5"}}`,
    ],
  };
}

function memcached(owner: string): ComponentSpec {
  return {
    name: `memcached-${owner}`,
    workload: 'Deployment',
    role: 'cache',
    containerName: `hotel-reserv-${owner}-mmc`,
    image: 'memcached:1.6.7',
    env: { MEMCACHED_CACHE_SIZE: '128', MEMCACHED_THREADS: '2' },
    ports: [{ name: `memcached-${owner}`, port: 11211, containerPort: 11211 }],
    resources: GO_RESOURCES,
    calls: [],
    startupLogs: [],
    steadyLogs: [],
  };
}

export const hotelReservation: AppSpec = {
  name: 'hotel-reservation',
  defaultNamespace: 'test-hotel-reservation',
  componentLabel: 'io.kompose.service',
  configMaps: INIT_SCRIPT_OWNERS.map((owner) => ({
    name: `mongo-${owner}-script`,
    data: { [`k8s-${owner}-mongo.sh`]: initScript(owner) },
  })),
  components: [
    {
      name: 'consul',
      workload: 'Deployment',
      role: 'infra',
      containerName: 'consul',
      image: 'hashicorp/consul:latest',
      ports: [
        { name: '8300', port: 8300, containerPort: 8300 },
        { name: '8400', port: 8400, containerPort: 8400 },
        { name: '8500', port: 8500, containerPort: 8500 },
        { name: '8600', port: 8600, containerPort: 53, protocol: 'UDP' },
      ],
      resources: GO_RESOURCES,
      calls: [],
      startupLogs: [
        '==> Starting Consul agent...',
        "               Version: '1.19.1'",
        "            Datacenter: 'dc1' (Segment: '<all>')",
        '                Server: true (Bootstrap: false)',
        '==> Consul agent running!',
        '{time} [INFO]  agent.server.raft: entering leader state: leader="Node at 127.0.0.1:8201 [Leader]"',
        '{time} [INFO]  agent: Synced node info',
      ],
      steadyLogs: [
        '{time} [INFO]  agent: Synced service: service=srv-geo',
        '{time} [INFO]  agent: Synced check: check=service:srv-rate',
      ],
    },
    {
      name: 'jaeger',
      workload: 'Deployment',
      role: 'infra',
      containerName: 'hotel-reserv-jaeger',
      image: 'jaegertracing/all-in-one:1.57',
      ports: [
        { name: '14269', port: 14269, containerPort: 14269 },
        { name: '5778', port: 5778, containerPort: 5778 },
        { name: '14268', port: 14268, containerPort: 14268 },
        { name: '14267', port: 14267, containerPort: 14267 },
        { name: '16686', port: 16686, containerPort: 16686 },
        { name: '5775', port: 5775, containerPort: 5775, protocol: 'UDP' },
        { name: '6831', port: 6831, containerPort: 6831, protocol: 'UDP' },
        { name: '6832', port: 6832, containerPort: 6832, protocol: 'UDP' },
      ],
      resources: GO_RESOURCES,
      calls: [],
      startupLogs: [
        '{"level":"info","ts":1,"caller":"flags/service.go:110","msg":"Mounting metrics handler on admin server","route":"/metrics"}',
        '{"level":"info","ts":1,"caller":"app/server.go:290","msg":"Query server started","http_addr":"[::]:16686"}',
      ],
      steadyLogs: [],
    },
    goService({
      name: 'frontend',
      port: 5000,
      calls: ['search', 'profile', 'recommendation', 'user', 'reservation'],
      steadyLogs: [
        '{time} INF services/frontend/server.go:132 > searchHandler [lat: 37.7749, lon: -122.4194, inDate: 2015-04-09, outDate: 2015-04-10]',
        '{time} INF services/frontend/server.go:226 > recommendHandler [lat: 37.7749, lon: -122.4194, require: rate]',
        '{time} INF services/frontend/server.go:318 > userHandler [username: Cornell_12, password: ********]',
      ],
    }),
    goService({
      name: 'search',
      port: 8082,
      calls: ['geo', 'rate'],
      steadyLogs: [
        '{time} INF services/search/server.go:118 > nearby lat = 37.7749',
        '{time} INF services/search/server.go:121 > get Nearby hotelId = 5',
      ],
    }),
    goService({
      name: 'geo',
      port: 8083,
      calls: [],
      database: 'mongodb-geo',
      steadyLogs: [
        '{time} INF services/geo/server.go:118 > In geo Nearby',
        '{time} INF services/geo/server.go:143 > geo after getNearbyPoints, len = 5',
      ],
    }),
    goService({
      name: 'profile',
      port: 8081,
      calls: [],
      database: 'mongodb-profile',
      cache: 'memcached-profile',
      steadyLogs: [
        '{time} INF services/profile/server.go:109 > In GetProfiles',
        '{time} INF services/profile/server.go:160 > In GetProfiles after getting resp',
      ],
    }),
    goService({
      name: 'rate',
      port: 8084,
      calls: [],
      database: 'mongodb-rate',
      cache: 'memcached-rate',
      steadyLogs: [
        '{time} INF services/rate/server.go:107 > In GetRates',
        '{time} INF services/rate/server.go:175 > memc hit for hotel 3',
      ],
    }),
    goService({
      name: 'recommendation',
      port: 8085,
      calls: [],
      database: 'mongodb-recommendation',
      steadyLogs: ['{time} INF services/recommendation/server.go:128 > GetRecommendations require = rate'],
    }),
    goService({
      name: 'reservation',
      port: 8087,
      calls: [],
      database: 'mongodb-reservation',
      cache: 'memcached-reserve',
      steadyLogs: [
        '{time} INF services/reservation/server.go:97 > In MakeReservation',
        '{time} INF services/reservation/server.go:199 > In CheckAvailability',
      ],
    }),
    goService({
      name: 'user',
      port: 8086,
      calls: [],
      database: 'mongodb-user',
      steadyLogs: [
        '{time} INF services/user/server.go:97 > CheckUser',
        '{time} INF services/user/server.go:112 > CheckUser successful',
      ],
    }),
    memcached('profile'),
    memcached('rate'),
    memcached('reserve'),
    mongodb('geo'),
    mongodb('profile'),
    mongodb('rate'),
    mongodb('recommendation'),
    mongodb('reservation'),
    mongodb('user'),
  ],
};
