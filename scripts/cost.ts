/**
 * npm run cost [-- --evaluations 60000000 --snoops 56 --marketing-events 500000 --device-events 300000]
 * What a month of the system costs in AWS at the seed's scale, term by term: each line says its formula, the
 * measured figure or the assumption it rests on, and the price it uses. Prices are AWS's public on-demand list prices
 * for US East (N. Virginia) as published in 2025 (eu-west-1, Ireland, is the same for Lambda, SQS and X-Ray and up to
 * about 13 % higher for DynamoDB and Fargate): check them at aws.amazon.com/<service>/pricing before budgeting.
 * Excluded: Aurora and Cassandra themselves (their owners'), data transfer, the free tiers. Last line: one JSON
 * object {total_usd, snoop_usd, marketing_usd, device_usd, platform_usd, evaluations_per_night}.
 */
import { parseArgs } from 'node:util';
import { printTable } from '@backbone/shared/local';

export const PRICES = {
  region: 'us-east-1',
  as_of: '2025 list prices',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsStandardRequest: 0.4 / 1e6,
  sqsFifoRequest: 0.5 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  albHour: 0.0225,
  albLcuHour: 0.008,
  rdsProxyVcpuHour: 0.015,
  xrayTrace: 5 / 1e6,
  logsIngestGb: 0.5,
  cloudwatchAlarmMonth: 0.1,
  apiGatewayRestRequest: 3.5 / 1e6,
  keyspacesWriteUnit: 1.45 / 1e6,
  keyspacesReadUnit: 0.29 / 1e6,
} as const;

/** Figures measured by the benchmarks (docs/benchmarks.md) the model uses, and the assumptions beside them. */
export const MEASURED = {
  /** bench:engine: the engine's own CPU per evaluation, busy. */
  engineCpuSecondsPerEvaluation: 16.6e-6,
  /** bench:engine: one request of 10 customers (560 evaluations) over HTTP with its DynamoDB writes, p50. */
  invokeSecondsPer10Customers: 0.43,
} as const;

export const ASSUMED = {
  /** The rule step's Lambda per batch of 10 customers (reads a cached rule set, sends 10 messages): not measured. */
  ruleStepSecondsPerBatch: 0.05,
  /** The dispatcher per batch of up to 100 events (one Meta request, GA4 per event, the ledger): not measured in AWS. */
  dispatchSecondsPerBatch: 1.5,
  /** Device ingest per batch of 10 events (Cassandra writes, 1.81 rows an event: bench:device). */
  deviceSecondsPerBatch: 0.2,
  /** A result item's size with its keys and explanation. */
  resultItemBytes: 450,
  /** Log bytes a Lambda invocation writes (start, end, report and a few lines). */
  logBytesPerInvocation: 1_200,
  /** X-Ray's default sampling: one request a second and 5 % of the rest. */
  xraySampled: 0.05,
  /** Lambda pollers' empty receives: five per SQS trigger, a long poll (20 s) each. */
  idleReceivesPerQueueMonth: 5 * 3 * 60 * 24 * 30,
  sqsTriggeredQueues: 9,
  alarms: 120,
  engineTasksAlwaysOn: 2,
  engineTaskVcpu: 1,
  engineTaskGb: 2,
  /** Aurora's vCPUs behind RDS Proxy (a db.r7g.large). */
  auroraVcpus: 2,
  resultsKeepDays: 35,
  deliveryDestinations: 3,
} as const;

export interface Term {
  part: 'snoop' | 'marketing' | 'device' | 'platform';
  item: string;
  formula: string;
  usd: number;
}

export function monthlyCost(volume: {
  evaluationsPerNight: number;
  snoops: number;
  marketingEventsPerDay: number;
  deviceEventsPerDay: number;
}): Term[] {
  const days = 30;
  const hours = 730;
  const p = PRICES;
  const customers = volume.evaluationsPerNight / volume.snoops;
  const batchesOf10 = (customers / 10) * days;
  const lambda = (invocations: number, seconds: number, gb: number) =>
    invocations * p.lambdaRequest + invocations * seconds * gb * p.lambdaArmGbSecond;
  const resultsGb = (volume.evaluationsPerNight * ASSUMED.resultsKeepDays * ASSUMED.resultItemBytes) / 1e9;
  const marketingBatches = (volume.marketingEventsPerDay / 100) * days;
  const deviceBatches = (volume.deviceEventsPerDay / 10) * days;
  const invocations = batchesOf10 * 2 + marketingBatches + deviceBatches;
  const n = (x: number) => Math.round(x).toLocaleString('en-GB');
  return [
    {
      part: 'snoop',
      item: 'eligible-customers queue (standard)',
      formula: `${n(customers)} customers/night: send, receive, delete in 10s x 30 nights x $0.40/M`,
      usd: 3 * batchesOf10 * p.sqsStandardRequest,
    },
    {
      part: 'snoop',
      item: 'customer-rules queue (FIFO)',
      formula: `the same on FIFO x $0.50/M`,
      usd: 3 * batchesOf10 * p.sqsFifoRequest,
    },
    {
      part: 'snoop',
      item: 'rule step (Lambda, 512 MB)',
      formula: `${n(batchesOf10)} batches x ${ASSUMED.ruleStepSecondsPerBatch} s (assumed)`,
      usd: lambda(batchesOf10, ASSUMED.ruleStepSecondsPerBatch, 0.5),
    },
    {
      part: 'snoop',
      item: 'invoke step (Lambda, 512 MB)',
      formula: `${n(batchesOf10)} requests x ${MEASURED.invokeSecondsPer10Customers} s (bench:engine p50)`,
      usd: lambda(batchesOf10, MEASURED.invokeSecondsPer10Customers, 0.5),
    },
    {
      part: 'snoop',
      item: 'rules engine (Fargate ARM, always on)',
      formula:
        `${ASSUMED.engineTasksAlwaysOn} tasks x ${ASSUMED.engineTaskVcpu} vCPU/${ASSUMED.engineTaskGb} GB x ${hours} h; ` +
        `the night needs ${((volume.evaluationsPerNight * MEASURED.engineCpuSecondsPerEvaluation) / 3600).toFixed(2)} vCPU-hours (16.6 us/evaluation)`,
      usd:
        ASSUMED.engineTasksAlwaysOn *
        hours *
        (ASSUMED.engineTaskVcpu * p.fargateArmVcpuHour + ASSUMED.engineTaskGb * p.fargateArmGbHour),
    },
    {
      part: 'snoop',
      item: "engine's load balancer",
      formula: `${hours} h x $0.0225 + about 1 LCU for the 5 night hours`,
      usd: hours * p.albHour + 5 * days * p.albLcuHour,
    },
    {
      part: 'snoop',
      item: "engine's RDS Proxy",
      formula: `${ASSUMED.auroraVcpus} Aurora vCPUs x ${hours} h x $0.015`,
      usd: ASSUMED.auroraVcpus * hours * p.rdsProxyVcpuHour,
    },
    {
      part: 'snoop',
      item: 'snoop results (DynamoDB writes)',
      formula: `${n(volume.evaluationsPerNight)} items/night (one per customer and snoop, <= 1 KB) x 30 x $0.625/M`,
      usd: volume.evaluationsPerNight * days * p.dynamoWriteUnit,
    },
    {
      part: 'snoop',
      item: 'snoop results (DynamoDB storage)',
      formula: `${ASSUMED.resultsKeepDays} nights kept x ${ASSUMED.resultItemBytes} B = ${resultsGb.toFixed(0)} GB x $0.25`,
      usd: resultsGb * p.dynamoStorageGbMonth,
    },
    {
      part: 'marketing',
      item: 'events queue (standard)',
      formula: `${n(volume.marketingEventsPerDay)} events/day: send in 10s, receive and delete in 10s x 30`,
      usd: ((3 * volume.marketingEventsPerDay) / 10) * days * p.sqsStandardRequest,
    },
    {
      part: 'marketing',
      item: 'dispatcher (Lambda, 512 MB)',
      formula: `${n(marketingBatches)} batches of 100 x ${ASSUMED.dispatchSecondsPerBatch} s (assumed: the platforms' latency)`,
      usd: lambda(marketingBatches, ASSUMED.dispatchSecondsPerBatch, 0.5),
    },
    {
      part: 'marketing',
      item: 'delivery ledger (DynamoDB)',
      formula: `${ASSUMED.deliveryDestinations} destinations x (1 conditional write + 1 read) per event x 30`,
      usd: volume.marketingEventsPerDay * days * ASSUMED.deliveryDestinations * (p.dynamoWriteUnit + p.dynamoReadUnit),
    },
    {
      part: 'device',
      item: 'device events queue (standard) and ingest (Lambda)',
      formula: `${n(volume.deviceEventsPerDay)} events/day, batches of 10 x ${ASSUMED.deviceSecondsPerBatch} s (assumed)`,
      usd:
        ((3 * volume.deviceEventsPerDay) / 10) * days * p.sqsStandardRequest +
        lambda(deviceBatches, ASSUMED.deviceSecondsPerBatch, 0.5),
    },
    {
      part: 'device',
      item: 'ownership tables (Amazon Keyspaces, on demand)',
      formula: '1.81 rows written and 1 read per event (bench:device) x 30 x $1.45/M writes, $0.29/M reads',
      usd: volume.deviceEventsPerDay * days * (1.81 * p.keyspacesWriteUnit + p.keyspacesReadUnit),
    },
    {
      part: 'platform',
      item: 'idle SQS long polls (Lambda triggers)',
      formula: `${ASSUMED.sqsTriggeredQueues} triggered queues x 5 pollers x 3/min x 30 days`,
      usd: ASSUMED.sqsTriggeredQueues * ASSUMED.idleReceivesPerQueueMonth * p.sqsStandardRequest,
    },
    {
      part: 'platform',
      item: 'logs (CloudWatch ingestion)',
      formula: `${n(invocations)} invocations x ${ASSUMED.logBytesPerInvocation} B x $0.50/GB`,
      usd: ((invocations * ASSUMED.logBytesPerInvocation) / 1e9) * p.logsIngestGb,
    },
    {
      part: 'platform',
      item: 'traces (X-Ray, default sampling)',
      formula: `${n(invocations)} invocations x ${ASSUMED.xraySampled * 100} % x $5/M`,
      usd: invocations * ASSUMED.xraySampled * p.xrayTrace,
    },
    {
      part: 'platform',
      item: 'alarms (CloudWatch)',
      formula: `${ASSUMED.alarms} standard alarms x $0.10`,
      usd: ASSUMED.alarms * p.cloudwatchAlarmMonth,
    },
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      evaluations: { type: 'string', default: '60000000' },
      snoops: { type: 'string', default: '56' },
      'marketing-events': { type: 'string', default: '500000' },
      'device-events': { type: 'string', default: '300000' },
    },
  });
  const volume = {
    evaluationsPerNight: Number(values.evaluations),
    snoops: Number(values.snoops),
    marketingEventsPerDay: Number(values['marketing-events']),
    deviceEventsPerDay: Number(values['device-events']),
  };
  if (Object.values(volume).some((v) => !(v > 0))) throw new Error('every volume must be a positive number');
  const terms = monthlyCost(volume);
  printTable(
    terms.map((t) => ({
      part: t.part,
      item: t.item,
      'a month': `$${t.usd.toFixed(2)}`,
      'how it is counted': t.formula,
    })),
  );
  const sum = (part?: Term['part']) =>
    Number(
      terms
        .filter((t) => !part || t.part === part)
        .reduce((s, t) => s + t.usd, 0)
        .toFixed(2),
    );
  console.log(
    `prices: ${PRICES.region}, ${PRICES.as_of}; excluded: Aurora and Cassandra themselves, data transfer, free tiers`,
  );
  console.log(
    JSON.stringify({
      total_usd: sum(),
      snoop_usd: sum('snoop'),
      marketing_usd: sum('marketing'),
      device_usd: sum('device'),
      platform_usd: sum('platform'),
      evaluations_per_night: volume.evaluationsPerNight,
    }),
  );
}

if (require.main === module) main();
