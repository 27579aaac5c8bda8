/**
 * npm run logs -- <service> <function> [--stage <stage>] [--since 15m] [--filter <text>] [--correlation <id>]
 *
 * One function's log lines, readable: time, level, message, correlationId and the rest of each structured line. In
 * AWS from its CloudWatch log group (/aws/lambda/<service>-<stage>-<function>, FilterLogEvents); for the stage
 * `local` from the file its serverless-offline writes (.local-cloud/logs/offline-<service>.log), keeping that
 * function's lines (Powertools writes function_name on each). `--correlation` follows one message: its id is on
 * every line written while it is handled (docs/deploying.md, "Traces and logs"). Exits 1 when the log group or
 * file does not exist, saying which.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { readCommandLine, runTool } from '@backbone/shared/local';
import { applyLocalEnvironment, LOCAL_STAGE } from './local-cloud/environment';
import { LOG_DIR } from './local-cloud/layout';
import { STAGES_DIR, readStageFile } from './deploy/stage-file';

const USAGE =
  'usage: npm run logs -- <service> <function> [--stage <stage>] [--since 15m|2h|1d] [--filter <text>] ' +
  '[--correlation <id>] [--limit <lines>]';

/** "15m", "2h", "1d" as milliseconds. */
export function durationMs(text: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) throw new Error(`--since takes a duration such as 30s, 15m, 2h or 1d, not "${text}"`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** Fields every line has, shown in their own columns or not at all (they say the same on every line). */
const SHOWN_APART = new Set(['timestamp', 'level', 'message', 'correlationId', 'service', 'sampling_rate']);
const CONTEXT = /^(cold_start|function_arn|function_memory_size|function_name|function_request_id|xray_trace_id)$/;

/** One log line as people read it; a line that is not structured (START, REPORT, a stack trace) as it is. */
export function formatLogLine(raw: string): string {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw.trimEnd();
  }
  if (line === null || typeof line !== 'object') return raw.trimEnd();
  const rest = Object.entries(line)
    .filter(([key]) => !SHOWN_APART.has(key) && !CONTEXT.test(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const text = (key: string): string => {
    const value = line[key];
    return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  };
  const columns = [
    text('timestamp'),
    text('level').padEnd(5),
    text('message'),
    line.correlationId ? `[${text('correlationId')}]` : '',
    rest.join(' '),
  ];
  return columns.filter((column) => column !== '').join('  ');
}

export interface LogQuery {
  service: string;
  fn: string;
  stage: string;
  sinceMs: number;
  filter?: string;
  correlation?: string;
  limit: number;
}

/** Whether a raw line is one the query asks for (the local file holds every function's lines of a service). */
export function matches(raw: string, query: LogQuery, now = Date.now()): boolean {
  if (query.filter && !raw.includes(query.filter)) return false;
  if (query.correlation && !raw.includes(query.correlation)) return false;
  try {
    const line = JSON.parse(raw) as { function_name?: string; timestamp?: string };
    if (line.function_name !== `${query.service}-${query.stage}-${query.fn}`) return false;
    return !line.timestamp || Date.parse(line.timestamp) >= now - query.sinceMs;
  } catch {
    return false;
  }
}

function localLines(query: LogQuery): string[] {
  const file = path.join(LOG_DIR, `offline-${query.service}.log`);
  if (!existsSync(file))
    throw new Error(`no local log for ${query.service} at ${file}: is it running (npm start, or npm run offline)?`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((raw) => matches(raw, query))
    .slice(-query.limit);
}

async function cloudWatchLines(query: LogQuery, region: string): Promise<string[]> {
  const logGroupName = `/aws/lambda/${query.service}-${query.stage}-${query.fn}`;
  const logs = new CloudWatchLogsClient({ region, endpoint: process.env.AWS_ENDPOINT_URL || undefined });
  const lines: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: Date.now() - query.sinceMs,
          // CloudWatch's own filter syntax: a quoted term matches it anywhere in the line.
          filterPattern: [query.filter, query.correlation]
            .filter(Boolean)
            .map((term) => `"${term}"`)
            .join(' '),
          nextToken,
        }),
      );
      for (const event of page.events ?? []) if (event.message) lines.push(event.message);
      nextToken = page.nextToken;
    } while (nextToken && lines.length < query.limit);
  } catch (error) {
    if (error instanceof ResourceNotFoundException)
      throw new Error(`no log group ${logGroupName} in ${region}: is ${query.fn} deployed in stage ${query.stage}?`);
    throw error;
  } finally {
    logs.destroy();
  }
  return lines.slice(-query.limit);
}

async function main(): Promise<number> {
  const {
    command: service,
    positionals,
    values,
  } = readCommandLine(
    process.argv.slice(2),
    {
      stage: { type: 'string', default: LOCAL_STAGE },
      since: { type: 'string', default: '15m' },
      filter: { type: 'string' },
      correlation: { type: 'string' },
      limit: { type: 'string', default: '500' },
    },
    USAGE,
  );
  const [fn] = positionals;
  if (!service || !fn) throw new Error(`name a service and one of its functions\n${USAGE}`);
  const query: LogQuery = {
    service,
    fn,
    stage: values.stage,
    sinceMs: durationMs(values.since),
    filter: values.filter,
    correlation: values.correlation,
    limit: Number(values.limit),
  };
  let lines: string[];
  if (query.stage === LOCAL_STAGE) {
    applyLocalEnvironment();
    lines = localLines(query);
  } else {
    const stageFile = path.join(STAGES_DIR, `${query.stage}.yml`);
    const region = existsSync(stageFile) ? readStageFile(query.stage).region : process.env.AWS_REGION;
    if (!region) throw new Error(`no stage file for ${query.stage}: set AWS_REGION`);
    lines = await cloudWatchLines(query, region);
  }
  for (const raw of lines) console.log(formatLogLine(raw));
  console.error(`${lines.length} line(s) of ${service}-${query.stage}-${fn} in the last ${values.since}`);
  return 0;
}

if (require.main === module) runTool('logs', main);
