/**
 * npm run device:simulate [-- --seed 7 --applicants 50000 --second-hand-share 0.25 --cool-down-days 14 ...]
 *
 * Replays a generated month of phone sign-ups (installs, resales with and without resets, shared family phones,
 * fraud rings cycling accounts through few phones, repeat applicants) through the current device rules and the
 * legacy rule, and prints what each does to genuine applicants and to fraud. Every market parameter and rule setting
 * is a flag (`--help` lists them with their defaults). Seeded: the same flags print the same figures. Last line: JSON.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_MARKET,
  DEFAULT_POLICY,
  decisionsByReason,
  GENUINE_KINDS,
  generateMonth,
  replayMonth,
  summarise,
  type ApplicantKind,
  type DevicePolicy,
  type MarketParameters,
  type WorldResult,
} from '@backbone/device-ownership/local';
import { formatTable } from '@backbone/shared/local';

/** Flags for every numeric market parameter and rule setting: --second-hand-share for secondHandShare. */
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const numericMarket = Object.entries(DEFAULT_MARKET).filter(([, v]) => typeof v === 'number') as [
  keyof MarketParameters,
  number,
][];
const numericPolicy = Object.entries(DEFAULT_POLICY) as [keyof DevicePolicy, number][];

const SOURCES: Partial<Record<keyof MarketParameters, string>> = {
  secondHandShare: 'surveys: about 1 in 5 phones sold in Kenya are second-hand',
  previousOwnerWasCustomerShare: "assumed: the lender's reach among phone users",
  resetOnResaleShare: 'assumed',
  meanResaleGapDays: 'assumed',
  sellerOpenLoanShare: 'assumed: short loans, frequent borrowers',
  sellerArrearsShare: 'assumed',
  sharedPhoneShare: 'assumed',
  repeatApplicantShare: 'assumed',
  fraudRings: 'assumed',
  fraudDetectedShare: 'assumed: most ring accounts default and are found out',
  resetProofFlagShare: 'assumed: flags also written to device recall / DeviceCheck',
};

function parse(): { market: MarketParameters; policy: DevicePolicy } {
  const options = Object.fromEntries(
    [...numericMarket, ...numericPolicy].map(([name]) => [kebab(name), { type: 'string' as const }]),
  );
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    console.log('npm run device:simulate -- [flags]\n');
    for (const line of formatTable([
      ['flag', 'default', 'source'],
      ...[...numericMarket, ...numericPolicy].map(([name, value]) => [
        `--${kebab(name)}`,
        String(value),
        SOURCES[name as keyof MarketParameters] ?? '',
      ]),
    ]))
      console.log(line);
    process.exit(0);
  }
  const read = (name: string, fallback: number): number => {
    const raw = (values as Record<string, string | undefined>)[kebab(name)];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`--${kebab(name)} must be a number >= 0 (got "${raw}"); see --help`);
    if (name.endsWith('Share') && value > 1)
      throw new Error(`--${kebab(name)} is a share: between 0 and 1 (got ${raw})`);
    return value;
  };
  const market = { ...DEFAULT_MARKET };
  for (const [name, fallback] of numericMarket) (market as Record<string, unknown>)[name] = read(name, fallback);
  const policy = { ...DEFAULT_POLICY };
  for (const [name, fallback] of numericPolicy) policy[name] = read(name, fallback);
  return { market, policy };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

function byKind(current: WorldResult, legacy: WorldResult): string[][] {
  const kinds: ApplicantKind[] = [...GENUINE_KINDS, 'fraud ring'];
  const cells = (world: WorldResult, kind: ApplicantKind) => {
    const ds = world.decisions.filter((d) => d.kind === kind);
    const n = (o: string) => String(ds.filter((d) => d.outcome === o).length);
    return [
      String(ds.filter((d) => d.outcome === 'allow' || d.outcome === 'allow_transfer').length),
      n('review'),
      n('block'),
      String(ds.filter((d) => d.admitted).length),
    ];
  };
  return [
    [
      'applicants',
      'count',
      'current: allowed',
      'review',
      'block',
      'admitted',
      'legacy: allowed',
      'review',
      'block',
      'admitted',
    ],
    ...kinds.map((kind) => [
      kind,
      String(current.decisions.filter((d) => d.kind === kind).length),
      ...cells(current, kind),
      ...cells(legacy, kind),
    ]),
  ];
}

async function main(): Promise<void> {
  const { market, policy } = parse();
  const started = Date.now();
  console.log(
    `generating a month: ${market.applicants} applicants, ${market.fraudRings} fraud rings (seed ${market.seed}) ...`,
  );
  const month = generateMonth(market);
  console.log(`replaying ${month.steps.length} events and attempts through the current rules ...`);
  const current = await replayMonth(month, market, 'current', policy);
  console.log('... and through the legacy rule ...');
  const legacy = await replayMonth(month, market, 'legacy', policy);
  const summary = summarise(current, legacy);

  console.log('\nmarket parameters (settable: npm run device:simulate -- --help)');
  for (const line of formatTable(
    [
      ['parameter', 'value', 'source'],
      ...numericMarket.map(([name]) => [name, String(market[name] as number), SOURCES[name] ?? '']),
    ],
    '  ',
  ))
    console.log(line);
  console.log(
    `  rules: cool-down ${policy.coolDownDays} d, window ${policy.windowDays} d, at most ${policy.maxAccountsInWindow} accounts, reset-proof markers ${policy.resetProofMaxAgeDays} d`,
  );
  console.log(
    `  step-up passes (genuine/fraud): owner release ${market.stepUpPass.owner_release.genuine}/${market.stepUpPass.owner_release.fraud}, document check ${market.stepUpPass.document_check.genuine}/${market.stepUpPass.document_check.fraud}`,
  );

  console.log('\ndecisions per kind of applicant (admitted: allowed, or passed the step-up)');
  for (const line of formatTable(byKind(current, legacy), '  ')) console.log(line);

  console.log('\nwhat the current rules change');
  for (const line of formatTable(
    [
      ['figure', 'current', 'legacy'],
      [
        'genuine applicants blocked (the support-ticket driver)',
        String(summary.current.genuineBlocked),
        String(summary.legacy.genuineBlocked),
      ],
      [
        'genuine applicants turned away (blocked, or failed a step-up)',
        String(summary.current.genuineTurnedAway),
        String(summary.legacy.genuineTurnedAway),
      ],
      [
        'genuine second-hand buyers blocked',
        percent(summary.resoldBlockedRate),
        percent(summary.legacy.resold ? summary.legacy.resoldBlocked / summary.legacy.resold : 0),
      ],
      [
        'genuine second-hand buyers not admitted outright (false positives)',
        percent(summary.resoldFalsePositiveRate),
        percent(summary.legacy.resold ? summary.legacy.resoldNotAdmittedOutright / summary.legacy.resold : 0),
      ],
      [
        'fraud attempts stopped (blocked, or failed a step-up)',
        `${summary.current.fraudStopped} of ${summary.current.fraud}`,
        `${summary.legacy.fraudStopped} of ${summary.legacy.fraud}`,
      ],
      ['fraud attempts blocked outright', String(summary.current.fraudBlocked), String(summary.legacy.fraudBlocked)],
    ],
    '  ',
  ))
    console.log(line);
  console.log(
    `  genuine applicants the legacy rule blocks that the current rules admit: ${summary.admittedByCurrentBlockedByLegacy}`,
  );
  console.log(`  "blocked genuine applicant" outcomes removed: ${percent(summary.blockedGenuineRemovedShare)}`);

  console.log('\ndecisions per reason');
  for (const line of formatTable(
    [
      ['outcome', 'reasons', 'current', 'legacy'],
      ...decisionsByReason(current, legacy).map(([o, r, c, l]) => [o, r, String(c), String(l)]),
    ],
    '  ',
  ))
    console.log(line);
  console.log(`\nsimulated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      simulation: 'device',
      seed: market.seed,
      applicants: summary.current.genuine,
      fraud_attempts: summary.current.fraud,
      genuine_blocked_legacy: summary.legacy.genuineBlocked,
      genuine_blocked_current: summary.current.genuineBlocked,
      blocked_genuine_removed_share: Number(summary.blockedGenuineRemovedShare.toFixed(4)),
      admitted_by_current_blocked_by_legacy: summary.admittedByCurrentBlockedByLegacy,
      resold_false_positive_rate: Number(summary.resoldFalsePositiveRate.toFixed(4)),
      fraud_stopped_current: summary.current.fraudStopped,
      fraud_stopped_legacy: summary.legacy.fraudStopped,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
