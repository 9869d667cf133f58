/**
 * DeathStarBench's socialNetwork as AIOpsLab deploys it (the DeathStarBench Helm chart): C++ Thrift services on
 * port 9090 behind an OpenResty gateway, each stateful service with its MongoDB and a memcached or redis, all
 * traced by jaeger. Every service reads service-config.json and jaeger-config.yml from a ConfigMap of its own
 * name; the MongoDBs read mongod.conf and the redis instances redis.conf the same way.
 */
import type { AppSpec, ComponentSpec, ConfigMapMount, ConfigMapSpec } from './types.js';

const IMAGE = 'deathstarbench/social-network-microservices:latest';
const CONFIG_DIR = '/social-network-microservices/config';
const THRIFT_PORT = 9090;

interface ThriftService {
  name: string;
  /** The C++ binary (its `main` lives in `<binary>.cpp`). */
  binary: string;
  /** Services and back ends it opens connections to (jaeger is added for every service). */
  calls: string[];
  /** Line of the "Starting the ... server" log statement in `<binary>.cpp`. */
  startLine: number;
  /** A hex machine id logged at start (the services that mint ids: unique-id and user). */
  machineId?: string;
}

const SERVICES: ThriftService[] = [
  {
    name: 'compose-post-service',
    binary: 'ComposePostService',
    calls: [
      'text-service',
      'media-service',
      'unique-id-service',
      'user-service',
      'post-storage-service',
      'user-timeline-service',
      'home-timeline-service',
    ],
    startLine: 111,
  },
  {
    name: 'home-timeline-service',
    binary: 'HomeTimelineService',
    calls: ['post-storage-service', 'social-graph-service', 'home-timeline-redis'],
    startLine: 95,
  },
  { name: 'media-service', binary: 'MediaService', calls: [], startLine: 39 },
  {
    name: 'post-storage-service',
    binary: 'PostStorageService',
    calls: ['post-storage-mongodb', 'post-storage-memcached'],
    startLine: 68,
  },
  {
    name: 'social-graph-service',
    binary: 'SocialGraphService',
    calls: ['user-service', 'social-graph-mongodb', 'social-graph-redis'],
    startLine: 104,
  },
  {
    name: 'text-service',
    binary: 'TextService',
    calls: ['url-shorten-service', 'user-mention-service'],
    startLine: 64,
  },
  { name: 'unique-id-service', binary: 'UniqueIdService', calls: [], startLine: 52, machineId: '1b' },
  {
    name: 'url-shorten-service',
    binary: 'UrlShortenService',
    calls: ['url-shorten-mongodb', 'url-shorten-memcached'],
    startLine: 78,
  },
  {
    name: 'user-service',
    binary: 'UserService',
    calls: ['social-graph-service', 'user-mongodb', 'user-memcached'],
    startLine: 85,
    machineId: '2c',
  },
  {
    name: 'user-mention-service',
    binary: 'UserMentionService',
    calls: ['user-mongodb', 'user-memcached'],
    startLine: 59,
  },
  {
    name: 'user-timeline-service',
    binary: 'UserTimelineService',
    calls: ['post-storage-service', 'user-timeline-mongodb', 'user-timeline-redis'],
    startLine: 101,
  },
];

const MONGODBS = [
  'post-storage-mongodb',
  'url-shorten-mongodb',
  'user-mongodb',
  'social-graph-mongodb',
  'user-timeline-mongodb',
  'media-mongodb',
];
const REDISES = ['home-timeline-redis', 'social-graph-redis', 'user-timeline-redis'];
const MEMCACHEDS = ['post-storage-memcached', 'url-shorten-memcached', 'user-memcached', 'media-memcached'];

/** Which service's driver connects to a back end (MongoDB logs the client's appname). */
function clientOf(backend: string): string {
  if (backend === 'media-mongodb') return 'media-frontend';
  return SERVICES.find((s) => s.calls.includes(backend))?.name ?? backend;
}

function boostLog(file: string, line: number, fn: string, message: string, severity = 'info'): string {
  return `[{time}] <${severity}>: (${file}:${line}:${fn}) ${message}`;
}

function serviceConfigJson(): string {
  const entry = (name: string, port: number, extra: Record<string, unknown> = {}) => [
    name,
    { addr: name, port, connections: 512, timeout_ms: 10000, keepalive_ms: 10000, ...extra },
  ];
  const entries = [
    ['secret', 'secret'],
    ...SERVICES.map((s) => entry(s.name, THRIFT_PORT, s.machineId ? { netif: 'eth0' } : {})),
    ...MONGODBS.map((m) => entry(m, 27017)),
    ...REDISES.map((r) => entry(r, 6379, { use_cluster: 0, use_replica: 0 })),
    ...MEMCACHEDS.map((m) => entry(m, 11211, { binary_protocol: 1 })),
    [
      'ssl',
      {
        enabled: false,
        caPath: '/keys/CA.pem',
        ciphers: 'ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH',
        serverKeyPath: '/keys/server.key',
        serverCertPath: '/keys/server.crt',
      },
    ],
  ];
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

const JAEGER_CONFIG = [
  'disabled: false',
  'reporter:',
  '  logSpans: false',
  '  localAgentHostPort: "jaeger:6831"',
  '  queueSize: 1000000',
  '  bufferFlushInterval: 10',
  'sampler:',
  '  type: "probabilistic"',
  '  param: 0.01',
  '',
].join('\n');

const MONGOD_CONF = 'net:\n  tls:\n    mode: disabled\n';
const REDIS_CONF = 'io-threads 8\nio-threads-do-reads yes\nport 6379\n';

function configMaps(): ConfigMapSpec[] {
  const serviceConfig = serviceConfigJson();
  return [
    ...SERVICES.map((s) => ({
      name: s.name,
      data: { 'jaeger-config.yml': JAEGER_CONFIG, 'service-config.json': serviceConfig },
    })),
    ...MONGODBS.map((m) => ({ name: m, data: { 'mongod.conf': MONGOD_CONF } })),
    ...REDISES.map((r) => ({ name: r, data: { 'redis.conf': REDIS_CONF } })),
  ];
}

/** Each key of the component's own ConfigMap mounted as one file, as the chart's subPath mounts do. */
function configMounts(name: string, keys: string[]): ConfigMapMount[] {
  return keys.map((key) => ({
    configMap: name,
    volume: `${name}-config`,
    mountPath: `${CONFIG_DIR}/${key}`,
    subPath: key,
  }));
}

function port(n: number, containerPort = n, protocol: 'TCP' | 'UDP' = 'TCP') {
  return { name: String(n), port: n, containerPort, protocol };
}

function thriftService(s: ThriftService): ComponentSpec {
  const file = `${s.binary}.cpp`;
  return {
    name: s.name,
    workload: 'Deployment',
    role: 'service',
    containerName: s.name,
    image: IMAGE,
    command: [s.binary],
    ports: [port(THRIFT_PORT)],
    configMapMounts: configMounts(s.name, ['jaeger-config.yml', 'service-config.json']),
    calls: [...s.calls, 'jaeger'],
    startupLogs: [
      ...(s.machineId ? [boostLog(file, s.startLine - 23, 'main', `machine_id = ${s.machineId}`)] : []),
      boostLog(file, s.startLine, 'main', `Starting the ${s.name} server ...`),
    ],
    // The services log at info level only at start and on errors: a healthy one is silent.
    steadyLogs: [],
  };
}

function mongoLine(c: string, id: number, ctx: string, msg: string, attr?: Record<string, unknown>): string {
  const a = attr ? `,"attr":${JSON.stringify(attr)}` : '';
  return `{"t":{"$date":"{time}"},"s":"I",  "c":"${c}",${' '.repeat(Math.max(1, 9 - c.length))}"id":${id},${' '.repeat(Math.max(1, 8 - String(id).length))}"ctx":"${ctx}","msg":"${msg}"${a}}`;
}

// prettier-ignore
function mongodb(name: string): ComponentSpec {
  const client = clientOf(name);
  return {
    name,
    workload: 'Deployment',
    role: 'database',
    containerName: name,
    image: 'mongo:4.4.6',
    args: ['--config', `${CONFIG_DIR}/mongod.conf`],
    ports: [port(27017)],
    configMapMounts: configMounts(name, ['mongod.conf']),
    calls: [],
    startupLogs: [
      mongoLine('CONTROL', 23285, 'main', 'Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols \'none\''),
      mongoLine('CONTROL', 4615611, 'initandlisten', 'MongoDB starting', { pid: 1, port: 27017, dbPath: '/data/db', architecture: '64-bit', host: '{pod}' }),
      mongoLine('CONTROL', 23403, 'initandlisten', 'Build Info', { buildInfo: { version: '4.4.6' } }),
      mongoLine('CONTROL', 21951, 'initandlisten', 'Options set by command line', { options: { config: `${CONFIG_DIR}/mongod.conf`, net: { tls: { mode: 'disabled' } } } }),
      mongoLine('STORAGE', 22315, 'initandlisten', 'Opening WiredTiger', { config: 'create,cache_size=15574M,session_max=33000' }),
      mongoLine('CONTROL', 22120, 'initandlisten', 'Access control is not enabled for the database. Read and write access to data and configuration is unrestricted', { tags: ['startupWarnings'] }),
      mongoLine('NETWORK', 23015, 'listener', 'Listening on', { address: '0.0.0.0' }),
      mongoLine('NETWORK', 23016, 'listener', 'Waiting for connections', { port: 27017, ssl: 'off' }),
    ],
    steadyLogs: [
      mongoLine('NETWORK', 22943, 'listener', 'Connection accepted', { remote: '10.244.1.14:51234', connectionId: 12, connectionCount: 3 }),
      mongoLine('NETWORK', 51800, 'conn12', 'client metadata', { remote: '10.244.1.14:51234', client: 'conn12', doc: { application: { name: client }, driver: { name: 'mongoc', version: '1.17.4' } } }),
      mongoLine('NETWORK', 22944, 'conn12', 'Connection ended', { remote: '10.244.1.14:51234', connectionId: 12, connectionCount: 2 }),
      mongoLine('STORAGE', 22430, 'WTCheckpointThread', 'WiredTiger message', { message: '[1:0][1:WT_SESSION.checkpoint] saving checkpoint snapshot min: 37, snapshot max: 37 snapshot count: 0' }),
    ],
  };
}

function redis(name: string): ComponentSpec {
  return {
    name,
    workload: 'Deployment',
    role: 'cache',
    containerName: name,
    image: 'redis:6.2.4',
    args: [`${CONFIG_DIR}/redis.conf`],
    ports: [port(6379)],
    configMapMounts: configMounts(name, ['redis.conf']),
    calls: [],
    startupLogs: [
      '1:C {time} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
      '1:C {time} # Redis version=6.2.4, bits=64, commit=00000000, modified=0, pid=1, just started',
      `1:C {time} # Configuration loaded`,
      '1:M {time} * monotonic clock: POSIX clock_gettime',
      '1:M {time} * Running mode=standalone, port=6379.',
      '1:M {time} # Server initialized',
      '1:M {time} * Ready to accept connections',
    ],
    steadyLogs: [
      '1:M {time} * 100 changes in 300 seconds. Saving...',
      '1:M {time} * Background saving started by pid 27',
      '27:C {time} * DB saved on disk',
      '27:C {time} * RDB: 0 MB of memory used by copy-on-write',
      '1:M {time} * Background saving terminated with success',
    ],
  };
}

function memcached(name: string): ComponentSpec {
  return {
    name,
    workload: 'Deployment',
    role: 'cache',
    containerName: name,
    image: 'memcached:1.6.7',
    ports: [port(11211)],
    calls: [],
    // memcached prints nothing unless started with -v.
    startupLogs: [],
    steadyLogs: [],
  };
}

const OPENRESTY = ['/usr/local/openresty/bin/openresty', '-g', 'daemon off;'];

const gateways: ComponentSpec[] = [
  {
    name: 'nginx-thrift',
    workload: 'Deployment',
    role: 'frontend',
    containerName: 'nginx-thrift',
    image: 'yg397/openresty-thrift:xenial',
    command: OPENRESTY,
    ports: [port(8080)],
    calls: [
      'compose-post-service',
      'home-timeline-service',
      'user-timeline-service',
      'user-service',
      'social-graph-service',
      'url-shorten-service',
      'media-service',
      'jaeger',
    ],
    // OpenResty writes its error log to a file inside the container; a healthy gateway prints nothing.
    startupLogs: [],
    steadyLogs: [],
  },
  {
    name: 'media-frontend',
    workload: 'Deployment',
    role: 'frontend',
    containerName: 'media-frontend',
    image: 'yg397/media-frontend:xenial',
    command: OPENRESTY,
    ports: [port(8081, 8080)],
    calls: ['media-mongodb', 'jaeger'],
    // OpenResty writes its error log to a file inside the container; a healthy gateway prints nothing.
    startupLogs: [],
    steadyLogs: [],
  },
];

const jaeger: ComponentSpec = {
  name: 'jaeger',
  workload: 'Deployment',
  role: 'infra',
  containerName: 'jaeger',
  image: 'jaegertracing/all-in-one:latest',
  env: { COLLECTOR_ZIPKIN_HOST_PORT: ':9411' },
  ports: [
    port(5775, 5775, 'UDP'),
    port(6831, 6831, 'UDP'),
    port(6832, 6832, 'UDP'),
    port(5778),
    port(16686),
    port(14268),
    port(9411),
  ],
  calls: [],
  startupLogs: [
    '{"level":"info","ts":1717236000.1,"caller":"flags/service.go:119","msg":"Mounting metrics handler on admin server","route":"/metrics"}',
    '{"level":"info","ts":1717236000.1,"caller":"memory/factory.go:75","msg":"Memory storage initialized","configuration":{"MaxTraces":0}}',
    '{"level":"info","ts":1717236000.2,"caller":"server/grpc.go:104","msg":"Starting GRPC server","port":14250,"addr":":14250"}',
    '{"level":"info","ts":1717236000.2,"caller":"server/http.go:48","msg":"Starting jaeger-collector HTTP server","http host-port":":14268"}',
    '{"level":"info","ts":1717236000.2,"caller":"server/zipkin.go:55","msg":"Listening for Zipkin HTTP traffic","zipkin host-port":":9411"}',
    '{"level":"info","ts":1717236000.3,"caller":"app/agent.go:69","msg":"Starting jaeger-agent HTTP server","http-port":5778}',
    '{"level":"info","ts":1717236000.3,"caller":"app/server.go:258","msg":"Query server started","http_addr":"[::]:16686","grpc_addr":"[::]:16685"}',
  ],
  steadyLogs: [],
};

export const socialNetwork: AppSpec = {
  name: 'social-network',
  defaultNamespace: 'test-social-network',
  componentLabel: 'app',
  componentLabelAliases: ['service'],
  configMaps: configMaps(),
  components: [
    ...SERVICES.map(thriftService),
    ...gateways,
    ...MONGODBS.map(mongodb),
    ...REDISES.map(redis),
    ...MEMCACHEDS.map(memcached),
    jaeger,
  ],
};
