/**
 * The OpenTelemetry demo ("Astronomy Shop") as AIOpsLab deploys it with the opentelemetry-demo Helm chart
 * (demo 2.0, the release with the short service names and flag names AIOpsLab's problems use): a dozen services
 * in as many languages behind an Envoy proxy, a Kafka queue for orders, valkey for carts, flagd serving the
 * feature flags every fault of this app is made of, and an OpenTelemetry collector every service reports to.
 */
import type { AppSpec, ComponentRole, ComponentSpec, PortSpec } from './types.js';

const VERSION = '2.0.2';
const DEMO_IMAGE = 'ghcr.io/open-telemetry/demo';
export const FLAGD_CONFIGMAP = 'flagd-config';
export const FLAGD_CONFIG_KEY = 'demo.flagd.json';

// ---------------------------------------------------------------- feature flags

type Variants = Record<string, boolean | number>;
const ON_OFF: Variants = { on: true, off: false };
const ON_100: Variants = { on: 100, off: 0 };
// prettier-ignore
const PERCENT: Variants = { '100%': 1, '90%': 0.95, '75%': 0.75, '50%': 0.5, '25%': 0.25, '10%': 0.1, off: 0 };
// prettier-ignore
const ONE_IN_TEN = { fractional: [['on', 10], ['off', 90]] };

/** The demo's flag file: name → [description, variants, targeting]. */
const FLAGS: Record<string, [string, Variants, unknown?]> = {
  productCatalogFailure: ['Fail product catalog service on a specific product', ON_OFF],
  recommendationCacheFailure: ['Fail recommendation service cache', ON_OFF],
  adManualGc: ['Triggers full manual garbage collections in the ad service', ON_OFF],
  adHighCpu: ['Triggers high cpu load in the ad service', ON_OFF],
  adFailure: ['Fail ad service', ON_OFF, ONE_IN_TEN],
  kafkaQueueProblems: [
    'Overloads Kafka queue while simultaneously introducing a consumer side delay leading to a lag spike',
    ON_100,
  ],
  cartFailure: ['Fail cart service', ON_OFF],
  paymentFailure: ['Fail payment service charge requests n%', PERCENT],
  paymentUnreachable: ['Payment service is unavailable', ON_OFF],
  loadGeneratorFloodHomepage: ['Flood the frontend with a large amount of requests.', ON_100],
  imageSlowLoad: ['slow loading images in the frontend', { '10sec': 10000, '5sec': 5000, off: 0 }],
  emailMemoryLeak: [
    'Memory leak in the email service.',
    { '10000x': 10000, '1000x': 1000, '100x': 100, '10x': 10, '1x': 1, off: 0 },
  ],
};

/** Every flag the shipped flag file defines, all with defaultVariant "off". */
export const FLAG_NAMES: readonly string[] = Object.keys(FLAGS);

function flagFile(): string {
  const flags = Object.fromEntries(
    Object.entries(FLAGS).map(([name, [description, variants, targeting]]) => [
      name,
      { description, state: 'ENABLED', variants, defaultVariant: 'off', ...(targeting ? { targeting } : {}) },
    ]),
  );
  return `${JSON.stringify({ $schema: 'https://flagd.dev/schema/v0/flags.json', flags }, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the flagd ConfigMap's data: flag name → its current defaultVariant. A missing key, JSON that does not
 * parse or a flag without a string defaultVariant yields no entry (flagd itself would refuse such a file).
 */
export function readFlags(configMapData: Record<string, string> | undefined): Record<string, string> {
  const text = configMapData?.[FLAGD_CONFIG_KEY];
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isRecord(parsed) || !isRecord(parsed['flags'])) return {};
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(parsed['flags'])) {
    if (isRecord(def) && typeof def['defaultVariant'] === 'string') out[name] = def['defaultVariant'];
  }
  return out;
}

// ---------------------------------------------------------------- services

interface DemoOptions {
  role?: ComponentRole;
  /** Container and Service ports; 8080 ("tcp-service") unless told, none for the Kafka consumers. */
  ports?: PortSpec[];
  image?: string;
  command?: string[];
  /** False for what the demo does not instrument (valkey): no OTEL_* env, no collector edge. */
  telemetry?: boolean;
  env?: Record<string, string>;
  configMapMounts?: ComponentSpec['configMapMounts'];
  startupLogs?: string[];
  steadyLogs?: string[];
}

function port(name: string, n: number, protocol: 'TCP' | 'UDP' = 'TCP'): PortSpec {
  return { name, port: n, containerPort: n, protocol };
}
const tcpService = (n = 8080): PortSpec[] => [port('tcp-service', n)];

/** "A=1 B=two words C=3" → env record (a value may hold spaces; names are upper-case). */
function kv(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(/\s+(?=[A-Z][A-Z0-9_]*=)/).map((pair) => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

const upper = (name: string) => name.toUpperCase().replace(/-/g, '_');
/** The services that evaluate flags (frontend-proxy only proxies to the flagd UI). */
const FLAGD_CLIENTS = new Set(
  'ad cart checkout fraud-detection frontend frontend-proxy load-generator payment product-catalog recommendation'.split(
    ' ',
  ),
);
const GRPC = new Set(['ad', 'cart', 'checkout', 'currency', 'payment', 'product-catalog', 'recommendation']);
const HTTP = new Set(['email', 'shipping', 'quote']);

/** The env var by which the chart tells a service where a callee lives (e.g. CART_ADDR=cart:8080). */
function addressEnv(callee: string): [string, string][] {
  if (callee === 'kafka') return [['KAFKA_ADDR', 'kafka:9092']];
  if (callee === 'valkey-cart') return [['VALKEY_ADDR', 'valkey-cart:6379']];
  if (GRPC.has(callee)) return [[`${upper(callee)}_ADDR`, `${callee}:8080`]];
  if (HTTP.has(callee)) return [[`${upper(callee)}_ADDR`, `http://${callee}:8080`]];
  return [];
}

/**
 * One component of the chart: `calls` names its direct callees (space-separated); flagd (for its clients) and
 * otel-collector (unless `telemetry: false`) are added, and so is the env the chart gives it (ports, addresses,
 * OTEL_*).
 */
function demo(name: string, memory: string, calls: string, o: DemoOptions): ComponentSpec {
  const s = { name, memory, calls: calls.split(' ').filter(Boolean), ...o };
  const flagd = FLAGD_CLIENTS.has(name);
  const telemetry = s.telemetry ?? true;
  const ports = s.ports ?? tcpService();
  const otel = {
    OTEL_SERVICE_NAME: s.name,
    OTEL_COLLECTOR_NAME: 'otel-collector',
    OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative',
    OTEL_RESOURCE_ATTRIBUTES: `service.name=${s.name},service.namespace=opentelemetry-demo,service.version=${VERSION}`,
  };
  const env: Record<string, string> = {
    ...(telemetry ? otel : {}),
    ...(ports[0] && telemetry ? { [`${upper(s.name)}_PORT`]: String(ports[0].containerPort) } : {}),
    ...Object.fromEntries(s.calls.flatMap(addressEnv)),
    ...(flagd ? { FLAGD_HOST: 'flagd', FLAGD_PORT: '8013' } : {}),
    ...(telemetry ? { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4317' } : {}),
    ...s.env,
  };
  return {
    name: s.name,
    workload: 'Deployment',
    role: s.role ?? 'service',
    containerName: s.name,
    image: s.image ?? `${DEMO_IMAGE}:${VERSION}-${s.name}`,
    ...(s.command ? { command: s.command } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ports,
    resources: { limits: { memory: s.memory } },
    ...(s.configMapMounts ? { configMapMounts: s.configMapMounts } : {}),
    calls: [...s.calls, ...(flagd ? ['flagd'] : []), ...(telemetry ? ['otel-collector'] : [])],
    startupLogs: s.startupLogs ?? [],
    steadyLogs: s.steadyLogs ?? [],
  };
}

const ORDER = '4f3c2a90-1b7e-11ef-9c4e-0242ac120007';
const USER = 'b2d4e6f8-0a1c-4e3f-9b5d-7c9e1a3b5d7f';
const TRACKING = '2d8f1e4a-7b3c-4d5e-9f6a-0b1c2d3e4f5a';
const JAVA_AGENT =
  '[otel.javaagent {time}] [main] INFO io.opentelemetry.javaagent.tooling.VersionLogger - opentelemetry-javaagent - version: 2.13.3';
const goLog = (msg: string) => `{"message":${JSON.stringify(msg)},"severity":"info","timestamp":"{time}"}`;
const pino = (msg: string, extra = '') =>
  `{"level":30,"time":"{time}","pid":1,"hostname":"{pod}","service.name":"payment"${extra},"msg":"${msg}"}`;
const adLog = (msg: string, thread = 'main', trace = '') =>
  `{time} - ${thread} INFO  oteldemo.AdService - ${msg} trace_id=${trace} span_id=${trace.slice(0, 16)} trace_flags=${trace ? '01' : ''}`;
const TRACES = [
  '4bf92f3577b34da6a3ce929d0e0e4736',
  '0af7651916cd43dd8448eb211c80319c',
  '7d2e4c1b9a3f5e6d8c0b1a2f3e4d5c6b',
];
const adRequest = (msg: string, n: 0 | 1 | 2) => adLog(msg, `grpc-default-executor-${n + 1}`, TRACES[n]);
/** A .NET console-logger entry: category line, then the message indented. */
const dotnet = (category: string, msg: string) => `info: ${category}\n      ${msg}`;
const cartLog = (msg: string) => dotnet('cart.cartstore.ValkeyCartStore[0]', msg);
const lifetime = (msg: string, id = 0) => dotnet(`Microsoft.Hosting.Lifetime[${id}]`, msg);
const envoy = (req: string, bytes: number, upstream: string, host: string) =>
  `[{time}] "${req} HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 9 8 "-" "python-requests/2.32.3" "5c0f8f1e-51c3-9c1a-a6a0-1a9ec2f0e3b4" "frontend-proxy:8080" "${host}" ${upstream} 10.244.2.7:44562 10.244.2.9:8080 10.244.1.3:51516 - -`;
const zap = (src: string, msg: string, fields: string) => `{time}\tinfo\t${src}\t${msg}\t${fields}`;
const OTELCOL = 'service@v0.120.0/service.go';

const SERVICES: ComponentSpec[] = [
  demo('frontend-proxy', '65Mi', 'frontend image-provider load-generator', {
    role: 'frontend',
    env: kv(
      'ENVOY_PORT=8080 FRONTEND_HOST=frontend FRONTEND_PORT=8080 IMAGE_PROVIDER_HOST=image-provider IMAGE_PROVIDER_PORT=8081 FLAGD_UI_HOST=flagd FLAGD_UI_PORT=4000 LOCUST_WEB_HOST=load-generator LOCUST_WEB_PORT=8089 OTEL_COLLECTOR_HOST=otel-collector OTEL_COLLECTOR_PORT_GRPC=4317 OTEL_COLLECTOR_PORT_HTTP=4318',
    ),
    startupLogs: [
      '[{time}][1][info][main] [source/server/server.cc:430] initializing epoch 0 (base id=0, hot restart version=11.104)',
      '[{time}][1][info][config] [source/server/configuration_impl.cc:174] loading 10 cluster(s)',
      '[{time}][1][info][main] [source/server/server.cc:982] starting main dispatch loop',
    ],
    steadyLogs: [
      envoy('GET /api/products/OLJCESPC7Z', 332, 'frontend', '10.244.1.21:8080'),
      envoy('GET /api/recommendations?productIds=&currencyCode=USD', 1581, 'frontend', '10.244.1.21:8080'),
      envoy('GET /images/products/StarsenseExplorer.jpg', 125431, 'image-provider', '10.244.3.8:8081'),
    ],
  }),
  demo('frontend', '250Mi', 'ad cart checkout currency product-catalog recommendation shipping', {
    role: 'frontend',
    env: kv(
      'FRONTEND_ADDR=:8080 WEB_OTEL_SERVICE_NAME=frontend-web PUBLIC_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://localhost:8080/otlp-http/v1/traces',
    ),
    startupLogs: [
      '  ▲ Next.js 14.2.28',
      '  - Local:        http://{pod}:8080',
      ' ✓ Starting...',
      ' ✓ Ready in 312ms',
    ],
  }),
  demo('ad', '300Mi', '', {
    env: kv('OTEL_LOGS_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318'),
    startupLogs: [
      'Picked up JAVA_TOOL_OPTIONS: -javaagent:/usr/src/app/opentelemetry-javaagent.jar',
      JAVA_AGENT,
      adLog('Ad service starting.'),
      adLog('Ad service started, listening on 8080'),
    ],
    steadyLogs: [
      adRequest('Targeted ad request received for [telescopes]', 2),
      adRequest('Targeted ad request received for [binoculars]', 0),
      adRequest('Non-targeted ad request received, preparing random response.', 1),
    ],
  }),
  demo('cart', '160Mi', 'valkey-cart', {
    env: kv('ASPNETCORE_URLS=http://*:8080'),
    startupLogs: [
      cartLog('Connecting to Redis: valkey-cart:6379,ConnectRetry=10,abortConnect=false'),
      cartLog('Successfully connected to Redis'),
      lifetime('Now listening on: http://[::]:8080', 14),
      lifetime('Application started. Press Ctrl+C to shut down.'),
      lifetime('Hosting environment: Production'),
    ],
    steadyLogs: [
      cartLog(`GetCartAsync called with userId=${USER}`),
      cartLog(`AddItemAsync called with userId=${USER}, productId=66VCHSJNUP, quantity=2`),
      cartLog(`EmptyCartAsync called with userId=${USER}`),
    ],
  }),
  demo('checkout', '20Mi', 'cart currency email payment product-catalog shipping kafka', {
    startupLogs: [
      goLog(
        'service config: &{productCatalogSvcAddr:product-catalog:8080 cartSvcAddr:cart:8080 currencySvcAddr:currency:8080 shippingSvcAddr:http://shipping:8080 emailSvcAddr:http://email:8080 paymentSvcAddr:payment:8080 kafkaBrokerSvcAddr:kafka:9092}',
      ),
      goLog('starting to listen on tcp: "[::]:8080"'),
    ],
    steadyLogs: [
      goLog(`[PlaceOrder] user_id="${USER}" user_currency="USD"`),
      goLog('payment went through (transaction_id: 6bdf0f5e-3b44-4c2e-9e7a-2a1c0f3d9b11)'),
      goLog('order confirmation email sent to "someone@example.com"'),
      goLog('sending to postProcessor'),
    ],
  }),
  demo('currency', '20Mi', '', {
    env: { VERSION },
    startupLogs: ['Currency Server listening on port: 8080'],
    steadyLogs: [
      'Currency conversion: 49.99 USD -> 45.89 EUR',
      'Currency conversion: 109.99 USD -> 163.37 CAD',
    ],
  }),
  demo('email', '100Mi', '', {
    env: kv('APP_ENV=production OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://otel-collector:4318/v1/traces'),
    startupLogs: [
      '== Sinatra (v4.1.1) has taken the stage on 8080 for production with backup from Puma',
      'Puma starting in single mode...',
      '* Listening on http://0.0.0.0:8080',
      'Use Ctrl-C to stop',
    ],
    steadyLogs: [
      'I, [{time} #1]  INFO -- : Order confirmation email sent to: someone@example.com',
      '10.244.2.14 - - [{time}] "POST /send_order_confirmation HTTP/1.1" 200 - 0.0131',
    ],
  }),
  demo('payment', '120Mi', '', {
    startupLogs: [pino('payment gRPC server started on port 8080')],
    steadyLogs: [
      pino('Charge request received.', ',"request":{"amount":{"currencyCode":"USD","units":{"low":149}}}'),
      pino('Transaction complete.', ',"transactionId":"6bdf0f5e-3b44","cardType":"visa"'),
    ],
  }),
  demo('product-catalog', '20Mi', '', {
    env: kv('PRODUCT_CATALOG_RELOAD_INTERVAL=10'),
    startupLogs: [goLog('Loaded 10 products'), goLog('Product Catalog gRPC server started on port: 8080')],
    steadyLogs: [goLog('Loading Product Catalog...'), goLog('Loaded 10 products')],
  }),
  demo('quote', '40Mi', '', {
    env: kv('OTEL_PHP_AUTOLOAD_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318'),
    startupLogs: ['[{time}] PHP 8.3.19 Development Server (http://0.0.0.0:8080) started'],
    steadyLogs: [
      '[{time}] quote.INFO: Calculated quote {"total":23.83} []',
      '[{time}] quote.INFO: Calculated quote {"total":8.94} []',
    ],
  }),
  demo('recommendation', '500Mi', 'product-catalog', {
    env: kv('OTEL_PYTHON_LOG_CORRELATION=true PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python'),
    startupLogs: [
      '{time} INFO [main] [recommendation_server.py:147] - Recommendation service listening on port: 8080',
    ],
    steadyLogs: [
      "{time} INFO [main] [recommendation_server.py:47] - Receive ListRecommendations for product ids:['9SIQT8TOJO', 'LS4PSXUNUM', '2ZYFJ3GM2N', '0PUK6V6EV0', 'HQTGWGPNH4']",
    ],
  }),
  demo('shipping', '20Mi', 'quote', {
    startupLogs: [
      '{time}  INFO shipping: listening on 0.0.0.0:8080',
      '{time}  INFO actix_server::builder: starting 2 workers',
    ],
    steadyLogs: [
      '{time}  INFO shipping::shipping_service::quote: Sending Quote',
      '{time}  INFO shipping::shipping_service::quote: Received Quote: 8.94',
      `{time}  INFO shipping::shipping_service: Tracking ID Created: ${TRACKING}`,
    ],
  }),
  demo('accounting', '120Mi', 'kafka', {
    ports: [],
    env: kv('OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318'),
    startupLogs: [
      dotnet('Accounting.Consumer[0]', 'Connecting to Kafka: kafka:9092'),
      lifetime('Application started. Press Ctrl+C to shut down.'),
    ],
    steadyLogs: [
      dotnet(
        'Accounting.Consumer[0]',
        `Order details: {"orderId":"${ORDER}","shippingTrackingId":"${TRACKING}"}`,
      ),
    ],
  }),
  demo('fraud-detection', '300Mi', 'kafka', {
    ports: [],
    env: kv('OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318'),
    startupLogs: [JAVA_AGENT, '{time} - main INFO  frauddetection - Subscribed to topic orders'],
    steadyLogs: [
      `{time} - main INFO  frauddetection - Consumed record with orderId: ${ORDER}, and updated total count to: 17`,
    ],
  }),
  demo('image-provider', '50Mi', '', {
    ports: tcpService(8081),
    env: kv('OTEL_COLLECTOR_HOST=otel-collector OTEL_COLLECTOR_PORT_GRPC=4317'),
    startupLogs: [
      '20-envsubst-on-templates.sh: Running envsubst on /etc/nginx/templates/nginx.conf.template to /etc/nginx/conf.d/nginx.conf',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
    ],
    steadyLogs: [
      '10.244.1.21 - - [{time}] "GET /images/products/StarsenseExplorer.jpg HTTP/1.1" 200 125431 "-" "Mozilla/5.0"',
    ],
  }),
  demo('load-generator', '1500Mi', 'frontend-proxy', {
    role: 'infra',
    ports: tcpService(8089),
    env: kv(
      'LOCUST_WEB_PORT=8089 LOCUST_USERS=10 LOCUST_SPAWN_RATE=1 LOCUST_HOST=http://frontend-proxy:8080 LOCUST_HEADLESS=false LOCUST_AUTOSTART=true LOCUST_BROWSER_TRAFFIC_ENABLED=true',
    ),
    startupLogs: [
      '[{time}] {pod}/INFO/locust.main: Starting Locust 2.32.5',
      '[{time}] {pod}/INFO/locust.main: Starting web interface at http://0.0.0.0:8089, press enter to open your browser.',
      '[{time}] {pod}/INFO/locust.runners: Ramping to 10 users at a rate of 1.00 per second',
      '[{time}] {pod}/INFO/locust.runners: All users spawned: {"WebsiteBrowserUser": 5, "WebsiteUser": 5} (10 total users)',
    ],
  }),
  demo('kafka', '600Mi', '', {
    role: 'infra',
    ports: [port('plaintext', 9092), port('controller', 9093)],
    env: kv(
      'KAFKA_PROCESS_ROLES=broker,controller KAFKA_NODE_ID=1 KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093 KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka:9093 KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://kafka:9092 KAFKA_HEAP_OPTS=-Xmx400M -Xms400M OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318',
    ),
    startupLogs: [
      '[{time}] INFO [RaftManager id=1] Completed transition to Leader(localId=1, epoch=1, epochStartOffset=0) (org.apache.kafka.raft.QuorumState)',
      '[{time}] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)',
    ],
    steadyLogs: [
      '[{time}] INFO [GroupCoordinator 1]: Stabilized group accounting generation 1 (__consumer_offsets-12) with 1 members (kafka.coordinator.group.GroupCoordinator)',
      '[{time}] INFO [GroupCoordinator 1]: Stabilized group fraud-detection generation 1 (__consumer_offsets-31) with 1 members (kafka.coordinator.group.GroupCoordinator)',
    ],
  }),
  demo('valkey-cart', '20Mi', '', {
    role: 'cache',
    image: 'valkey/valkey:8.1-alpine',
    ports: [port('valkey-cart', 6379)],
    telemetry: false,
    startupLogs: [
      '1:C {time} # Valkey version=8.1.1, bits=64, commit=00000000, modified=0, pid=1, just started',
      '1:M {time} * Running mode=standalone, port=6379.',
      '1:M {time} * Ready to accept connections tcp',
    ],
    steadyLogs: [
      '1:M {time} * 100 changes in 300 seconds. Saving...',
      '1:M {time} * Background saving terminated with success',
    ],
  }),
  demo('flagd', '75Mi', '', {
    role: 'infra',
    image: 'ghcr.io/open-feature/flagd:v0.12.1',
    command:
      `/flagd-build start --port 8013 --ofrep-port 8016 --uri file:./etc/flagd/${FLAGD_CONFIG_KEY}`.split(
        ' ',
      ),
    ports: [port('rpc', 8013), port('ofrep', 8016), port('tcp-service-0', 4000)],
    configMapMounts: [{ configMap: FLAGD_CONFIGMAP, volume: 'config-ro', mountPath: '/etc/flagd' }],
    env: kv('FLAGD_METRICS_EXPORTER=otel FLAGD_OTEL_COLLECTOR_URI=otel-collector:4317'),
    startupLogs: [
      zap('ofrep/ofrep_service.go:57', 'ofrep service listening at 8016', '{"component": "OFREPService"}'),
      zap(
        'file/filepath_sync.go:66',
        `watching filepath: ./etc/flagd/${FLAGD_CONFIG_KEY}`,
        '{"component": "sync", "sync": "filepath"}',
      ),
      zap(
        'flag-evaluation/connect_service.go:227',
        'Flag IResolver listening at [::]:8013',
        '{"component": "service"}',
      ),
    ],
  }),
];

const otelCollector: ComponentSpec = {
  name: 'otel-collector',
  workload: 'Deployment',
  role: 'infra',
  containerName: 'opentelemetry-collector',
  image: 'otel/opentelemetry-collector-contrib:0.120.0',
  command: ['/otelcol-contrib', '--config=/conf/relay.yaml'],
  env: { GOMEMLIMIT: '160MiB' },
  ports: [
    port('jaeger-compact', 6831, 'UDP'),
    port('jaeger-grpc', 14250),
    port('jaeger-thrift', 14268),
    port('metrics', 8888),
    port('otlp', 4317),
    port('otlp-http', 4318),
    port('prometheus', 9464),
    port('zipkin', 9411),
  ],
  resources: { limits: { memory: '200Mi' } },
  calls: [],
  startupLogs: [
    zap(`${OTELCOL}:258`, 'Starting otelcol-contrib...', '{"Version": "0.120.0", "NumCPU": 8}'),
    zap(
      'otlpreceiver@v0.120.0/otlp.go:112',
      'Starting GRPC server',
      '{"kind": "receiver", "name": "otlp", "endpoint": "0.0.0.0:4317"}',
    ),
    zap(
      'otlpreceiver@v0.120.0/otlp.go:169',
      'Starting HTTP server',
      '{"kind": "receiver", "name": "otlp", "endpoint": "0.0.0.0:4318"}',
    ),
    zap(`${OTELCOL}:281`, 'Everything is ready. Begin running and processing data.', '{}'),
  ],
  steadyLogs: [],
};

export const astronomyShop: AppSpec = {
  name: 'astronomy-shop',
  defaultNamespace: 'astronomy-shop',
  componentLabel: 'app.kubernetes.io/name',
  componentLabelAliases: ['app.kubernetes.io/component', 'opentelemetry.io/name'],
  commonLabels: {
    'app.kubernetes.io/instance': 'astronomy-shop',
    'app.kubernetes.io/part-of': 'opentelemetry-demo',
    'app.kubernetes.io/version': VERSION,
    'app.kubernetes.io/managed-by': 'Helm',
  },
  configMaps: [{ name: FLAGD_CONFIGMAP, data: { [FLAGD_CONFIG_KEY]: flagFile() } }],
  components: [...SERVICES, otelCollector],
};
