import { describe, expect, it } from 'vitest';
import { entropy, redactEnvValue, redactText } from '../../src/observer/redact.js';

// Planted canaries: none may survive redaction, wherever they hide.
const HEX = 'canary-7f3a9c2e8b1d4f6a0c5e9b7d3a1f8c2e';
const B64 = 'Q2FuYXJ5LTl4S2pQbTRuV3ZZejJM7qRtZ0hvYg';
const PASS = 'canary-pw-Xq7Lm2Rz';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnkiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const AWS = 'AKIAIOSFODNN7CANARY1';

const secretLines: [string, string, string][] = [
  ['bearer header', `Authorization: Bearer ${HEX}`, HEX],
  ['curl header', `curl -H "Authorization: Bearer ${B64}" http://x`, B64],
  ['jwt in a log', `level=info msg="got session" jwt=${JWT}`, JWT],
  ['aws key', `using credentials ${AWS} for s3`, AWS],
  ['password=', `connecting with password=${PASS} to db`, PASS],
  ['passwd:', `passwd: ${PASS}`, PASS],
  ['pwd=', `login user=admin pwd=${PASS}`, PASS],
  ['token=', `GET /api?token=${PASS}&page=2`, PASS],
  ['secret=', `secret=${PASS}`, PASS],
  ['api_key', `api_key: ${PASS}`, PASS],
  ['apikey', `APIKEY=${PASS}`, PASS],
  ['access_key', `aws_secret_access_key = ${PASS}`, PASS],
  ['json password', `{"user":"admin","password": "${PASS}"}`, PASS],
  ['env style', `MONGO_INITDB_ROOT_PASSWORD=${PASS}`, PASS],
  [
    'annotation',
    `kubectl.kubernetes.io/last-applied-configuration: {"stringData":{"db-token":"${PASS}"}}`,
    PASS,
  ],
  ['cli flag', `exec mongod --password ${PASS} --bind_ip_all`, PASS],
  ['mongodb url', `dial mongodb://admin:${PASS}@mongodb-geo:27017/geo-db`, PASS],
  ['postgres url', `DATABASE_URL postgres://app:${PASS}@db.svc:5432/app?sslmode=disable`, PASS],
  ['redis url', `redis://:${PASS}@redis-master:6379/0`, PASS],
  ['amqp url', `amqp://guest:${PASS}@rabbitmq:5672/`, PASS],
  ['hex canary alone', `request signed with ${HEX}`, HEX],
  ['base64 canary alone', `cookie value ${B64} set`, B64],
  ['canary in url path', `GET https://hooks.example.com/services/${B64}`, B64],
  [
    'base64 with slashes',
    'sealed aGVsbG8vd29ybGQ/c2VjcmV0S2V5MTIz/NDU2Nzg5QUJDZGVm here',
    'c2VjcmV0S2V5MTIz',
  ],
];

describe('redactText', () => {
  it.each(secretLines)('masks %s', (_name, line, canary) => {
    const out = redactText(line);
    expect(out).not.toContain(canary);
    expect(out).toContain('[REDACTED]');
  });

  it('masks private key blocks, even cut off', () => {
    const block = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${B64}\n-----END RSA PRIVATE KEY-----`;
    expect(redactText(`key:\n${block}\nafter`)).toBe(
      'key:\n-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\nafter',
    );
    expect(redactText(`-----BEGIN PRIVATE KEY-----\nMIIEv${B64}`)).not.toContain(B64);
  });

  it('keeps users and hosts of connection strings', () => {
    expect(redactText('mongodb://admin:s3cr3t@mongodb-geo:27017')).toBe(
      'mongodb://admin:[REDACTED]@mongodb-geo:27017',
    );
    expect(redactText('redis://:hunter2@cache:6379')).toBe('redis://:[REDACTED]@cache:6379');
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactText('{"password": "x1"}')).toBe('{"password": "[REDACTED]"}');
  });

  it('is idempotent', () => {
    for (const [, line] of secretLines) expect(redactText(redactText(line))).toBe(redactText(line));
  });

  const ordinary = [
    '2024-05-01T10:00:00Z INF services/geo/server.go:118 > In geo Nearby',
    '2024-05-01T10:00:00Z ERR services/search/server.go:97 > rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp 10.96.12.7:8083: connect: connection refused"',
    '{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"I",  "c":"ACCESS",   "id":20250,   "ctx":"conn3","msg":"Authentication succeeded","attr":{"mechanism":"SCRAM-SHA-1","principalName":"admin","authenticationDatabase":"admin"}}',
    '{"t":{"$date":"2024-05-01T10:00:00.000+00:00"},"s":"I",  "c":"STORAGE",  "id":22315,   "ctx":"initandlisten","msg":"Opening WiredTiger","attr":{"config":"create,cache_size=15574M"}}',
    '[2024-May-01 10:00:00.123456] <error>: (ComposePostHandler.h:251:UploadUserMentions) Failed to connect user-mention-service',
    'Thrift: Wed May  1 10:00:00 2024 TSocket::open() connect() <Host: user-service Port: 9090>: Connection refused',
    'Warning  BackOff  pod/geo-6b4b89b5f5-hlpqn  Back-off restarting failed container hotel-reserv-geo in pod geo-6b4b89b5f5-hlpqn_test-hotel-reservation(0a1b2c3d-4e5f-6789-abcd-ef0123456789)',
    'Normal  Pulled  pod/frontend-7d4c9b8f6d-x2k9z  Container image "docker.io/yinfangchen/hotelreservation@sha256:3b0c6f1e5a2d9e8c7b4a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c" already present',
    'containerID: containerd://4d2a6f8e9b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a4b6c8d0e2f',
    'kube_pod_container_status_restarts_total{namespace="test-hotel-reservation",pod="geo-6b4b89b5f5-hlpqn"} 3',
    'github.com/harlow/go-micro-services/services/geo.(*Server).Run(0xc0001a2000)',
    'org.apache.thrift.transport.TTransportException: java.net.ConnectException: Connection refused',
    'userHandler [username: Cornell_12, password: ********]',
    'max_tokens_per_request is a config option, and tokenizer works',
    'Pod/test-social-network/user-service-7d9f8c6b5-abcde is not ready',
    'Deployment/test-hotel-reservation/mongodb-reservation ReplicaSet/test-hotel-reservation/mongodb-reservation-5d8c4b9f7',
  ];

  it.each(ordinary)('leaves ordinary lines alone: %s', (line) => {
    expect(redactText(line)).toBe(line);
  });

  it('handles empty and odd input', () => {
    expect(redactText('')).toBe('');
    expect(redactText('\u0000\uFFFD')).toBe('\u0000\uFFFD');
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });
});

describe('redactEnvValue', () => {
  it.each([
    ['MONGO_PASSWORD', 'plain'],
    ['DB_PASSWD', 'plain'],
    ['JWT_SECRET', 'x'],
    ['GITHUB_TOKEN', 'ghp'],
    ['STRIPE_API_KEY', 'k'],
    ['AWS_CREDENTIALS', 'c'],
    ['BASIC_AUTH', 'u:p'],
    ['TLS_PRIVATE', 'p'],
    ['SENTRY_DSN', 'https://abc@sentry.io/1'],
    ['DB_CONN', 'host=db user=app'],
  ])('masks the whole value of %s', (name, value) => {
    expect(redactEnvValue(name, value)).toBe('[REDACTED]');
  });

  it('keeps ordinary values but still masks secrets inside them', () => {
    expect(redactEnvValue('LOG_LEVEL', 'info')).toBe('info');
    expect(redactEnvValue('GEO_DB', 'mongodb-geo:27017')).toBe('mongodb-geo:27017');
    expect(redactEnvValue('DATABASE_URL', `mongodb://admin:${PASS}@mongodb-geo:27017`)).toBe(
      'mongodb://admin:[REDACTED]@mongodb-geo:27017',
    );
    expect(redactEnvValue('EXTRA', HEX)).toBe('[REDACTED]');
    expect(redactEnvValue('MONGO_PASSWORD', '')).toBe('');
  });
});

describe('redactText identifiers', () => {
  it('keeps trace ids and counts of things', () => {
    const line = 'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 tokens: 5 used';
    expect(redactText(line)).toBe(line);
    expect(redactText('aws secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY here')).toBe(
      'aws secret [REDACTED] here',
    );
  });
});

describe('redactText on long input', () => {
  it('stays linear on a megabyte without spaces (no backtracking blow-up)', () => {
    const blob = (n: number) => 'a'.repeat(n) + 'password'.repeat(n / 1000) + 'x://'.repeat(n / 1000);
    // The best of three runs each, measured side by side, so a busy machine slows both alike.
    const best = (n: number) => {
      const text = blob(n);
      let fastest = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        redactText(text);
        fastest = Math.min(fastest, performance.now() - started);
      }
      return fastest;
    };
    const small = best(100_000);
    const large = best(1_000_000);
    // Ten times the input: linear work is ~10× the time, quadratic ~100×.
    expect(large / Math.max(small, 0.5)).toBeLessThan(30);
  });
});
