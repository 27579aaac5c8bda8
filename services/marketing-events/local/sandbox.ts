/**
 * A local stand-in for the marketing platforms: Meta's Conversions API, GA4's Measurement Protocol
 * (collect and debug) and a webhook receiver, with their endpoints and response shapes. It checks what
 * the platforms check and rejects the way they do, records what it accepts, and can be told to fail
 * (a failure rate, specific status codes, latency, an outage window) through /_sandbox.
 *
 *   GET  /_sandbox/received          accepted events per platform: total, unique, duplicates
 *   GET  /_sandbox/received/ids      ... and the event ids themselves
 *   GET  /_sandbox/arrivals          per platform, when each event id first arrived (epoch ms)
 *   POST /_sandbox/faults            {"failureRate": 0.2, "statuses": [500, 503, 429], "latencyMs": 0,
 *                                     "outageSeconds": 30, "platforms": ["meta"]}   (omitted = all)
 *   POST /_sandbox/reset             forget everything received and every fault
 *
 * Run on its own with `npx tsx services/marketing-events/local/sandbox.ts`; npm start and the integration
 * tests start it in-process.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export const SANDBOX_PORT = 4590;

export interface SandboxCredentials {
  metaAccessToken: string;
  metaDatasetId: string;
  ga4ApiSecret: string;
  ga4FirebaseAppId: string;
  webhookSigningKey: string;
}

/** The local stage's stand-in credentials (serverless.common.yml, stage "local"). */
export const LOCAL_SANDBOX_CREDENTIALS: SandboxCredentials = {
  metaAccessToken: 'sandbox-meta-token',
  metaDatasetId: '1234567890',
  ga4ApiSecret: 'sandbox-ga4-secret',
  ga4FirebaseAppId: '1:1234567890:android:0123456789abcdef',
  webhookSigningKey: 'sandbox-webhook-key',
};

export type Platform = 'meta' | 'ga4' | 'webhook';
export const MARKETING_PLATFORMS: readonly Platform[] = ['meta', 'ga4', 'webhook'];
const PLATFORMS = MARKETING_PLATFORMS;

interface Faults {
  failureRate: number;
  statuses: number[];
  latencyMs: number;
  outageUntil: number;
  platforms: Platform[];
}

const NO_FAULTS: Faults = { failureRate: 0, statuses: [503], latencyMs: 0, outageUntil: 0, platforms: [...PLATFORMS] };

interface Received {
  total: number;
  ids: Map<string, number>;
  /** Event id (the platform's dedup id) -> first arrival, epoch ms. */
  arrivals: Map<string, number>;
  requests: number;
  rejected: number;
  injected: number;
  /** Requests whose caller had hung up before they were processed: not committed. */
  abandoned: number;
}

const META_MAX_BATCH = 1_000;
const META_MAX_AGE_SECONDS = 7 * 86_400;
const HEX64 = /^[0-9a-f]{64}$/;
const HASHED_FIELDS = ['em', 'ph', 'fn', 'ln', 'db', 'ge', 'ct', 'st', 'zp', 'country', 'external_id'];
const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

const fbtrace = (): string => randomBytes(8).toString('base64url');

/** Meta's error shape; code 100 is "Invalid parameter", 190 an invalid access token. */
const metaError = (message: string, code = 100, subcode?: number) => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(subcode ? { error_subcode: subcode } : {}),
    fbtrace_id: fbtrace(),
  },
});

/** What Meta would refuse in one server event, or undefined. */
export function metaEventProblem(event: Record<string, unknown>, nowSeconds: number): string | undefined {
  if (typeof event.event_name !== 'string' || event.event_name === '') return 'event_name is required';
  if (typeof event.event_time !== 'number' || !Number.isInteger(event.event_time))
    return 'event_time must be a unix time in seconds';
  if (event.event_time < nowSeconds - META_MAX_AGE_SECONDS)
    return 'event_time is more than 7 days in the past: the event is too old to be accepted';
  if (event.event_time > nowSeconds + 600) return 'event_time is in the future';
  if (typeof event.event_id !== 'string' || event.event_id === '') return 'event_id is required for deduplication';
  if (event.action_source !== 'app') return 'action_source must be "app" for app events';
  const userData = event.user_data as Record<string, unknown> | undefined;
  if (!userData || Object.keys(userData).length === 0)
    return 'user_data needs at least one customer information parameter';
  for (const field of HASHED_FIELDS) {
    const value = userData[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => typeof v === 'string' && HEX64.test(v)))
      return `user_data.${field} must be SHA-256 hashed (64 lowercase hex characters)`;
  }
  const appData = event.app_data as Record<string, unknown> | undefined;
  if (!appData) return 'app_data is required for app events';
  if (appData.advertiser_tracking_enabled !== 0 && appData.advertiser_tracking_enabled !== 1)
    return 'app_data.advertiser_tracking_enabled must be 0 or 1';
  const extinfo = appData.extinfo;
  if (!Array.isArray(extinfo) || extinfo.length !== 16 || !['a2', 'i2'].includes(String(extinfo[0])))
    return 'app_data.extinfo must be 16 strings starting with "a2" (Android) or "i2" (iOS)';
  return undefined;
}

/** What /_sandbox/received reports per platform. */
export interface SandboxReceived {
  total: number;
  unique: number;
  duplicates: number;
  requests: number;
  rejected: number;
  injectedFailures: number;
  abandoned: number;
}

export interface SandboxFaults {
  failureRate?: number;
  statuses?: number[];
  latencyMs?: number;
  outageSeconds?: number;
  platforms?: Platform[];
}

/** The sandbox's control endpoints, for tests, the demo and the benchmark (the sandbox may run elsewhere). */
export function sandboxClient(url: string) {
  const get = async <T>(path: string): Promise<T> => (await fetch(`${url}/_sandbox/${path}`)).json() as Promise<T>;
  const post = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${url}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox ${path} answered ${response.status}`);
  };
  return {
    received: () => get<Record<Platform, SandboxReceived>>('received'),
    /** Per platform, each event id's first arrival (epoch ms). */
    arrivals: () => get<Record<Platform, Record<string, number>>>('arrivals'),
    faults: (faults: SandboxFaults) => post('faults', faults),
    reset: () => post('reset', {}),
  };
}

export interface MarketingSandbox {
  url: string;
  close(): Promise<void>;
}

export async function startMarketingSandbox(
  options: { port?: number; host?: string; credentials?: SandboxCredentials; log?: (line: string) => void } = {},
): Promise<MarketingSandbox> {
  const credentials = options.credentials ?? LOCAL_SANDBOX_CREDENTIALS;
  const port = options.port ?? SANDBOX_PORT;
  const host = options.host ?? '127.0.0.1';
  let faults: Faults = { ...NO_FAULTS };
  const fresh = (): Record<Platform, Received> =>
    Object.fromEntries(
      PLATFORMS.map((p) => [
        p,
        { total: 0, ids: new Map(), arrivals: new Map(), requests: 0, rejected: 0, injected: 0, abandoned: 0 },
      ]),
    ) as Record<Platform, Received>;
  let received = fresh();

  /** Records accepted events by "<name>:<event id>"; arrivals by the event id alone. */
  const accept = (platform: Platform, ids: readonly string[]): void => {
    const r = received[platform];
    const now = Date.now();
    for (const id of ids) {
      r.total++;
      r.ids.set(id, (r.ids.get(id) ?? 0) + 1);
      const eventId = id.slice(id.lastIndexOf(':') + 1);
      if (!r.arrivals.has(eventId)) r.arrivals.set(eventId, now);
    }
  };

  const summary = () =>
    Object.fromEntries(
      PLATFORMS.map((p) => {
        const r = received[p];
        return [
          p,
          {
            total: r.total,
            unique: r.ids.size,
            duplicates: r.total - r.ids.size,
            requests: r.requests,
            rejected: r.rejected,
            injectedFailures: r.injected,
            abandoned: r.abandoned,
          },
        ];
      }),
    );

  /** The injected failure for this request, if any: an outage, or the failure rate. */
  const injected = (platform: Platform): number | undefined => {
    if (!faults.platforms.includes(platform)) return undefined;
    if (Date.now() < faults.outageUntil) return 503;
    if (faults.failureRate > 0 && Math.random() < faults.failureRate)
      return faults.statuses[Math.floor(Math.random() * faults.statuses.length)] ?? 503;
    return undefined;
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void handle(request, Buffer.concat(chunks).toString('utf8'), response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      });
    });
  });

  const send = (response: http.ServerResponse, status: number, body?: unknown): void => {
    if (response.destroyed) return;
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

  async function handle(request: http.IncomingMessage, text: string, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${host}`);
    const path = url.pathname;
    if (path.startsWith('/_sandbox/')) return control(request.method ?? 'GET', path, text, response);
    const platform: Platform | undefined = /^\/v\d+\.\d+\/[^/]+\/events$/.test(path)
      ? 'meta'
      : path === '/mp/collect' || path === '/debug/mp/collect'
        ? 'ga4'
        : path === '/webhook'
          ? 'webhook'
          : undefined;
    if (!platform || request.method !== 'POST')
      return send(response, 404, { message: `no such endpoint: ${request.method} ${path}` });
    // A request whose caller has already given up (its deadline passed while this server was busy) is
    // not committed, as a platform that cancels work for a closed connection: otherwise the sandbox would
    // count the caller's retry of an answer it never saw as a duplicate delivery.
    if (request.socket.destroyed) {
      received[platform].abandoned++;
      return;
    }
    received[platform].requests++;
    if (faults.latencyMs > 0 && faults.platforms.includes(platform)) {
      await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      // The caller gave up waiting: as with a real platform, nothing was committed.
      if (request.destroyed || response.destroyed) return;
    }
    const failure = path === '/debug/mp/collect' ? undefined : injected(platform);
    if (failure !== undefined) {
      received[platform].injected++;
      return send(
        response,
        failure,
        platform === 'meta' ? metaError('Service temporarily unavailable', 2) : { message: `injected ${failure}` },
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      received[platform].rejected++;
      return send(
        response,
        400,
        platform === 'meta' ? metaError('The request body is not JSON') : { message: 'the body is not JSON' },
      );
    }
    if (platform === 'meta') return meta(path, body, response);
    if (platform === 'ga4') return ga4(path, url, body, response);
    return webhook(request, text, body, response);
  }

  function meta(path: string, body: Record<string, unknown>, response: http.ServerResponse): void {
    const r = received.meta;
    const reject = (status: number, error: ReturnType<typeof metaError>): void => {
      r.rejected++;
      send(response, status, error);
    };
    if (body.access_token !== credentials.metaAccessToken)
      return reject(400, metaError('Invalid OAuth access token - Cannot parse access token', 190));
    if (path.split('/')[2] !== credentials.metaDatasetId)
      return reject(400, metaError('Unsupported post request: unknown dataset', 100, 33));
    const data = body.data;
    if (!Array.isArray(data) || data.length === 0)
      return reject(400, metaError('data must be a non-empty array of events'));
    if (data.length > META_MAX_BATCH)
      return reject(400, metaError(`data has ${data.length} events; at most ${META_MAX_BATCH} per request`));
    const now = Math.floor(Date.now() / 1000);
    for (const [index, event] of data.entries()) {
      const problem = metaEventProblem(event as Record<string, unknown>, now);
      // One invalid event fails the whole request, as it does at Meta.
      if (problem) return reject(400, metaError(`Invalid parameter: data[${index}]: ${problem}`, 100, 2804003));
    }
    accept(
      'meta',
      data.map((e: { event_name: string; event_id: string }) => `${e.event_name}:${e.event_id}`),
    );
    send(response, 200, { events_received: data.length, messages: [], fbtrace_id: fbtrace() });
  }

  function ga4(path: string, url: URL, body: Record<string, unknown>, response: http.ServerResponse): void {
    const messages: { fieldPath: string; description: string; validationCode: string }[] = [];
    if (url.searchParams.get('api_secret') !== credentials.ga4ApiSecret)
      messages.push({ fieldPath: 'api_secret', description: 'Unknown api_secret', validationCode: 'VALUE_INVALID' });
    if (url.searchParams.get('firebase_app_id') !== credentials.ga4FirebaseAppId)
      messages.push({
        fieldPath: 'firebase_app_id',
        description: 'Unknown firebase_app_id',
        validationCode: 'VALUE_INVALID',
      });
    if (typeof body.app_instance_id !== 'string' || !/^[0-9a-f]{32}$/.test(body.app_instance_id))
      messages.push({
        fieldPath: 'app_instance_id',
        description: 'app_instance_id must be 32 hex characters',
        validationCode: 'VALUE_INVALID',
      });
    const events = Array.isArray(body.events)
      ? (body.events as { name?: unknown; params?: Record<string, unknown> }[])
      : [];
    if (events.length === 0 || events.length > 25)
      messages.push({
        fieldPath: 'events',
        description: 'between 1 and 25 events per request',
        validationCode: 'VALUE_OUT_OF_BOUNDS',
      });
    for (const [i, event] of events.entries()) {
      if (typeof event.name !== 'string' || !GA4_NAME.test(event.name))
        messages.push({
          fieldPath: `events[${i}].name`,
          description: 'invalid event name',
          validationCode: 'NAME_INVALID',
        });
      const params = Object.entries(event.params ?? {});
      if (params.length > 25)
        messages.push({
          fieldPath: `events[${i}].params`,
          description: 'more than 25 parameters',
          validationCode: 'VALUE_OUT_OF_BOUNDS',
        });
      for (const [key, value] of params) {
        if (typeof value === 'string' && value.length > 100)
          messages.push({
            fieldPath: `events[${i}].params.${key}`,
            description: 'longer than 100 characters',
            validationCode: 'VALUE_OUT_OF_BOUNDS',
          });
      }
    }
    if (path === '/debug/mp/collect') return send(response, 200, { validationMessages: messages });
    // Like GA4, collect answers 2xx whatever it got; what it could not use is dropped silently.
    if (messages.length > 0) received.ga4.rejected++;
    else
      accept(
        'ga4',
        events.map((e) => `${String(e.name)}:${typeof e.params?.event_id === 'string' ? e.params.event_id : ''}`),
      );
    send(response, 204);
  }

  function webhook(
    request: http.IncomingMessage,
    text: string,
    body: Record<string, unknown>,
    response: http.ServerResponse,
  ): void {
    const header = String(request.headers['x-signature'] ?? '');
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    const expected = match
      ? createHmac('sha256', credentials.webhookSigningKey).update(`${match[1]}.${text}`).digest()
      : undefined;
    const fresh = match ? Math.abs(Date.now() / 1000 - Number(match[1])) < 300 : false;
    if (!match || !expected || !fresh || !timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) {
      received.webhook.rejected++;
      return send(response, 401, { message: 'bad or stale X-Signature' });
    }
    const events = Array.isArray(body.events) ? (body.events as { eventId?: unknown; type?: unknown }[]) : undefined;
    const bad = events?.findIndex((e) => typeof e.eventId !== 'string' || typeof e.type !== 'string');
    if (!events || events.length === 0 || events.length > 100 || bad !== -1) {
      received.webhook.rejected++;
      return send(response, 422, {
        message: !events
          ? 'the body must be {"events": [...]}'
          : bad !== -1
            ? `events[${bad}]: eventId and type are required`
            : '1 to 100 events per request',
      });
    }
    accept(
      'webhook',
      events.map((e) => `${String(e.type)}:${String(e.eventId)}`),
    );
    send(response, 202, { accepted: events.length });
  }

  function control(method: string, path: string, text: string, response: http.ServerResponse): void {
    if (method === 'GET' && path === '/_sandbox/received') return send(response, 200, summary());
    if (method === 'GET' && path === '/_sandbox/arrivals')
      return send(
        response,
        200,
        Object.fromEntries(PLATFORMS.map((p) => [p, Object.fromEntries(received[p].arrivals)])),
      );
    if (method === 'GET' && path === '/_sandbox/received/ids')
      return send(response, 200, Object.fromEntries(PLATFORMS.map((p) => [p, Object.fromEntries(received[p].ids)])));
    if (method === 'POST' && path === '/_sandbox/reset') {
      received = fresh();
      faults = { ...NO_FAULTS };
      return send(response, 204);
    }
    if (method === 'POST' && path === '/_sandbox/faults') {
      const asked = JSON.parse(text || '{}') as Partial<Omit<Faults, 'outageUntil'>> & { outageSeconds?: number };
      faults = {
        failureRate: asked.failureRate ?? 0,
        statuses: asked.statuses ?? [503],
        latencyMs: asked.latencyMs ?? 0,
        outageUntil: asked.outageSeconds ? Date.now() + asked.outageSeconds * 1000 : 0,
        platforms: asked.platforms ?? [...PLATFORMS],
      };
      options.log?.(`sandbox faults: ${JSON.stringify(asked)}`);
      return send(response, 200, {
        ...faults,
        outageUntil: faults.outageUntil ? new Date(faults.outageUntil).toISOString() : null,
      });
    }
    send(response, 404, { message: `no such control endpoint: ${method} ${path}` });
  }

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (require.main === module) {
  startMarketingSandbox({ log: console.log }).then(
    (sandbox) => console.log(`marketing sandbox on ${sandbox.url} (Meta, GA4, webhook; control at /_sandbox)`),
    (error: unknown) => {
      console.error(`marketing sandbox: ${String(error)}`);
      process.exit(1);
    },
  );
}
