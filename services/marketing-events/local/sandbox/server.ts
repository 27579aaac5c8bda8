/**
 * A local stand-in for the marketing platforms: Meta's Conversions API, GA4's Measurement Protocol
 * (collect and debug) and a webhook receiver, with their endpoints and response shapes. It checks what
 * the platforms check and rejects the way they do, records what it accepts, and can be told to fail
 * (a failure rate, specific status codes, latency, an outage window) through /_sandbox.
 *
 *   GET  /_sandbox/received          accepted events per platform: total, unique, duplicates (received again) and
 *                                    whether the platform deduplicates them
 *   GET  /_sandbox/received/ids      ... and the event ids themselves
 *   GET  /_sandbox/arrivals          per platform, when each event id first arrived (epoch ms)
 *   POST /_sandbox/faults            {"failureRate": 0.2, "statuses": [500, 503, 429], "latencyMs": 0,
 *                                     "outageSeconds": 30, "platforms": ["meta"]}   (omitted = all);
 *                                    with "refusal": "<message>" the injected failures refuse the data for good
 *                                    (Meta's code 100) instead of saying "try later"
 *   POST /_sandbox/reset             forget everything received and every fault
 *
 * Run on its own with `npx tsx services/marketing-events/local/sandbox/server.ts`; npm start and the integration
 * tests start it in-process.
 */
import http from 'node:http';
import { PLATFORM_NAMES } from '../../src/domain/platforms';
import { ga4StandIn } from './ga4';
import { metaStandIn } from './meta';
import type { SandboxCredentials, StandIn } from './stand-in';
import { webhookStandIn } from './webhook';

export const SANDBOX_PORT = 4590;

/** The local stage's stand-in credentials (serverless.common.yml, stage "local"). */
export const LOCAL_SANDBOX_CREDENTIALS: SandboxCredentials = {
  metaAccessToken: 'sandbox-meta-token',
  metaDatasetId: '1234567890',
  ga4ApiSecret: 'sandbox-ga4-secret',
  ga4FirebaseAppId: '1:1234567890:android:0123456789abcdef',
  webhookSigningKey: 'sandbox-webhook-key',
};

/** A marketing platform's name (the registry in src/domain/platforms.ts). */
export type Platform = string;
/** Every platform the dispatcher can deliver to: the sandbox stands in for each. */
export const MARKETING_PLATFORMS: readonly Platform[] = PLATFORM_NAMES;

/** The stand-ins for the registered platforms; a platform without one is an error at start. */
export const STAND_INS: readonly StandIn[] = [metaStandIn, ga4StandIn, webhookStandIn];

interface Faults {
  failureRate: number;
  statuses: number[];
  /** Injected failures refuse the data for good, with this message (Meta: code 100), instead of "try later". */
  refusal?: string;
  latencyMs: number;
  outageUntil: number;
  platforms: Platform[];
}

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
  /** Per match key (email, phone, ...), the events that arrived with it. */
  matchKeys: Map<string, Set<string>>;
}

/** What /_sandbox/received reports per platform. */
export interface SandboxReceived {
  total: number;
  unique: number;
  /** Events received again under an id already received. */
  duplicates: number;
  /** Whether the platform acts once on those (Meta, a webhook receiver) or counts them again (GA4). */
  deduplicates: boolean;
  /** Per match key, the unique events that arrived with it: divided by unique, the platform's match-key coverage. */
  matchKeys: Record<string, number>;
  requests: number;
  rejected: number;
  injectedFailures: number;
  abandoned: number;
}

export interface SandboxFaults {
  failureRate?: number;
  statuses?: number[];
  /** Injected failures refuse the data for good, with this message (as a platform refuses invalid data). */
  refusal?: string;
  latencyMs?: number;
  outageSeconds?: number;
  platforms?: Platform[];
}

const NOTHING: SandboxReceived = {
  total: 0,
  unique: 0,
  duplicates: 0,
  deduplicates: false,
  matchKeys: {},
  requests: 0,
  rejected: 0,
  injectedFailures: 0,
  abandoned: 0,
};

/** One platform's figures in a /_sandbox/received summary (all zero for a platform it has not heard of). */
export const countsFor = (summary: Record<Platform, SandboxReceived>, platform: Platform): SandboxReceived =>
  summary[platform] ?? NOTHING;

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

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  credentials?: SandboxCredentials;
  /** The platforms stood in for, and how: by default every registered platform with its stand-in. */
  standIns?: readonly StandIn[];
  log?: (line: string) => void;
}

/** Every registered platform needs a stand-in, so that a local run can deliver to it. */
export function missingStandIns(platforms: readonly Platform[], standIns: readonly StandIn[]): Platform[] {
  return platforms.filter((name) => !standIns.some((s) => s.platform === name));
}

export async function startMarketingSandbox(options: SandboxOptions = {}): Promise<MarketingSandbox> {
  const credentials = options.credentials ?? LOCAL_SANDBOX_CREDENTIALS;
  const port = options.port ?? SANDBOX_PORT;
  const host = options.host ?? '127.0.0.1';
  const standIns = options.standIns ?? STAND_INS;
  const missing = missingStandIns(MARKETING_PLATFORMS, standIns);
  if (missing.length > 0)
    throw new Error(
      `the marketing sandbox has no stand-in for ${missing.join(', ')}: add one in services/marketing-events/local/sandbox/ and list it in STAND_INS`,
    );
  const PLATFORMS = standIns.map((s) => s.platform);
  const NO_FAULTS: Faults = { failureRate: 0, statuses: [503], latencyMs: 0, outageUntil: 0, platforms: PLATFORMS };
  let faults: Faults = { ...NO_FAULTS };
  const fresh = (): Map<Platform, Received> =>
    new Map(
      PLATFORMS.map((p) => [
        p,
        {
          total: 0,
          ids: new Map(),
          arrivals: new Map(),
          requests: 0,
          rejected: 0,
          injected: 0,
          abandoned: 0,
          matchKeys: new Map(),
        },
      ]),
    );
  let received = fresh();
  // Every platform has its entry from the start (fresh), so this always finds one.
  const stats = (platform: Platform): Received => received.get(platform)!;

  /** Records accepted events by "<name>:<event id>"; arrivals by the event id alone. */
  const accept = (platform: Platform, ids: readonly string[], matchKeys?: readonly (readonly string[])[]): void => {
    const r = stats(platform);
    const now = Date.now();
    ids.forEach((id, i) => {
      r.total++;
      r.ids.set(id, (r.ids.get(id) ?? 0) + 1);
      const eventId = id.slice(id.lastIndexOf(':') + 1);
      if (!r.arrivals.has(eventId)) r.arrivals.set(eventId, now);
      for (const key of matchKeys?.[i] ?? []) {
        const events = r.matchKeys.get(key) ?? new Set<string>();
        events.add(id);
        r.matchKeys.set(key, events);
      }
    });
  };

  const summary = () =>
    Object.fromEntries(
      standIns.map(({ platform: p, deduplicates }) => {
        const r = stats(p);
        return [
          p,
          {
            total: r.total,
            unique: r.ids.size,
            duplicates: r.total - r.ids.size,
            deduplicates,
            matchKeys: Object.fromEntries([...r.matchKeys].map(([key, events]) => [key, events.size])),
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
    const standIn = standIns.find((candidate) => candidate.matches(path));
    if (!standIn || request.method !== 'POST')
      return send(response, 404, { message: `no such endpoint: ${request.method} ${path}` });
    const platform = standIn.platform;
    // Whether the caller stopped waiting (its deadline passed): its socket is closed. (Not request.destroyed,
    // which is true of every request whose body has been read.)
    const callerGone = (): boolean => request.socket.destroyed || response.destroyed;
    // A platform that cancels work for a closed connection commits nothing the caller gave up on; one that keeps
    // it (GA4's collect, which commits on receipt) has the event, and the caller's retry is then a duplicate.
    const abandoned = (): boolean => {
      if (!callerGone() || standIn.keepsAbandoned) return false;
      stats(platform).abandoned++;
      return true;
    };
    if (abandoned()) return;
    stats(platform).requests++;
    if (faults.latencyMs > 0 && faults.platforms.includes(platform)) {
      // Slow, not silent: the answer comes this much later (send() skips a caller that is gone).
      await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (abandoned()) return;
    }
    const failure = standIn.neverFails?.(path) ? undefined : injected(platform);
    if (failure !== undefined) {
      stats(platform).injected++;
      return send(
        response,
        failure,
        (faults.refusal !== undefined
          ? standIn.errorBody?.(faults.refusal, 'refused')
          : standIn.errorBody?.(`injected ${failure}`, 'injected')) ?? {
          message: faults.refusal ?? `injected ${failure}`,
        },
      );
    }
    const reject = (status: number, error: unknown): void => {
      stats(platform).rejected++;
      send(response, status, error);
    };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return reject(
        400,
        standIn.errorBody?.('The request body is not JSON', 'not-json') ?? { message: 'the body is not JSON' },
      );
    }
    standIn.handle({
      raw: request,
      url,
      path,
      text,
      body,
      credentials,
      accept: (ids, matchKeys) => accept(platform, ids, matchKeys),
      reject,
      countRejected: () => void stats(platform).rejected++,
      respond: (status, answer) => send(response, status, answer),
    });
  }

  function control(method: string, path: string, text: string, response: http.ServerResponse): void {
    if (method === 'GET' && path === '/_sandbox/received') return send(response, 200, summary());
    if (method === 'GET' && path === '/_sandbox/arrivals')
      return send(response, 200, Object.fromEntries(PLATFORMS.map((p) => [p, Object.fromEntries(stats(p).arrivals)])));
    if (method === 'GET' && path === '/_sandbox/received/ids')
      return send(response, 200, Object.fromEntries(PLATFORMS.map((p) => [p, Object.fromEntries(stats(p).ids)])));
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
        platforms: asked.platforms ?? PLATFORMS,
        ...(asked.refusal !== undefined ? { refusal: asked.refusal } : {}),
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
  const address = server.address();
  return {
    url: `http://${host}:${typeof address === 'object' && address ? address.port : port}`,
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
