import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discoverServices, serverlessServices } from '../local-cloud/services';
import { bootstrap, preflight, secretVariable, type DeployPorts } from './preflight';
import { REQUIREMENTS, ssmPathsIn, type RequirementKind } from './requirements';
import { readStageFile, type StageFile } from './stage-file';

const ROOT = path.resolve(__dirname, '..', '..');
const services = serverlessServices(discoverServices()).map((s) => s.name);
const templateText = (service: string) =>
  ['serverless.yml', 'engine/resources.yml']
    .map((file) => {
      try {
        return readFileSync(path.join(ROOT, 'services', service, file), 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
const named = (...kinds: RequirementKind[]) =>
  REQUIREMENTS.filter((r) => kinds.includes(r.kind))
    .map((r) => r.name)
    .sort();

describe('what a stage needs', () => {
  it('lists every SSM parameter a template reads, and no other (a new one fails here until it is listed)', () => {
    const read = new Set(services.flatMap((service) => ssmPathsIn(templateText(service))));
    expect([...read].sort()).toEqual(named('ssm', 'ssm-secure', 'stack-output'));
  });

  it('says which service reads each, truly (the services named read it)', () => {
    for (const requirement of REQUIREMENTS.filter((r) => ['ssm', 'ssm-secure', 'stack-output'].includes(r.kind)))
      for (const service of requirement.services)
        expect({
          requirement: requirement.name,
          service,
          reads: ssmPathsIn(templateText(service)).includes(requirement.name),
        }).toEqual({
          requirement: requirement.name,
          service,
          reads: true,
        });
  });

  it('has the values written by a stack written by that stack (dlq-console writes the staff pool)', () => {
    for (const name of named('stack-output'))
      expect(templateText('dlq-console')).toContain(`/lending-backbone/\${sls:stage}/${name}`);
  });

  it('has stage files for dev and prod that give every plain parameter and every param a stage must set', () => {
    for (const stage of ['dev', 'prod']) {
      const file = readStageFile(stage);
      expect(Object.keys(file.ssm).sort()).toEqual(named('ssm'));
      const required = REQUIREMENTS.filter((r) => r.kind === 'param' && !r.optional).map((r) => r.name);
      expect(required.filter((name) => file.params[name] === undefined)).toEqual([]);
    }
    expect(readStageFile('prod').protect).toBe(true);
    expect(readStageFile('dev').protect).toBe(false);
  });

  it('refuses a stage file that is not one, saying where', () => {
    expect(() => readStageFile('nowhere')).toThrow(/no stage file for "nowhere" at deploy\/stages\/nowhere\.yml/);
  });
});

/** SSM and ECR in memory. */
function memoryPorts(existing: string[] = [], tags: string[] = []) {
  const parameters = new Map<string, { value: string; secure: boolean }>(
    existing.map((n) => [n, { value: 'x', secure: false }]),
  );
  const ports: DeployPorts = {
    existingParameters: async (names) => new Set(names.filter((n) => parameters.has(n))),
    imageTags: async () => (tags.length > 0 ? new Set(tags) : undefined),
    putParameter: async (name, value, secure) => void parameters.set(name, { value, secure }),
  };
  return { ports, parameters };
}

const complete = (): StageFile => ({
  region: 'eu-west-1',
  protect: false,
  params: Object.fromEntries(REQUIREMENTS.filter((r) => r.kind === 'param').map((r) => [r.name, `value-${r.name}`])),
  ssm: Object.fromEntries(named('ssm').map((name) => [name, `value-of-${name}`])),
});

describe('the preflight and the bootstrap', () => {
  it('names everything a stage lacks, at once, with how to provide each', async () => {
    const file = complete();
    delete file.params['metaDatasetId'];
    file.params['consoleUrl'] = 'https://<dead-letter console address>/';
    const { ports } = memoryPorts();
    const findings = await preflight('dev', file, services, ports);
    const missing = findings.filter((f) => f.status === 'missing');
    expect(missing.map((f) => f.where)).toEqual(
      expect.arrayContaining([
        '/lending-backbone/dev/aurora/endpoint',
        '/lending-backbone/dev/marketing/meta-access-token',
        'params.metaDatasetId',
        'params.consoleUrl',
        'snoop-rules-engine:dev',
      ]),
    );
    expect(missing.find((f) => f.where === 'params.metaDatasetId')!.requirement.how).toMatch(/Meta dataset/);
    // Deployed together, the staff pool's values are made by dlq-console's stack on the way.
    expect(findings.find((f) => f.where === '/lending-backbone/dev/staff/user-pool-arn')!.status).toBe(
      'made by this deploy',
    );
    // Alone, rules-ingestion needs them already there.
    const alone = await preflight('dev', file, ['rules-ingestion'], ports);
    expect(alone.find((f) => f.where === '/lending-backbone/dev/staff/user-pool-arn')!.status).toBe('missing');
    expect(
      alone.some((f) => f.requirement.services.includes('marketing-events') && !f.requirement.services.includes('*')),
    ).toBe(false);
  });

  it('writes the plain parameters, takes secure ones from the environment or generates a key, then lacks nothing', async () => {
    const file = complete();
    const { ports, parameters } = memoryPorts([], ['dev']);
    const actions = await bootstrap('dev', file, ports, {
      [secretVariable('marketing/meta-access-token')]: 'meta-token',
    });
    expect(actions.filter((a) => a.action === 'written')).toHaveLength(named('ssm').length);
    expect(actions.find((a) => a.where.endsWith('meta-access-token'))!.action).toBe('taken from the environment');
    expect(actions.find((a) => a.where.endsWith('webhook-signing-key'))!.action).toBe('generated');
    expect(actions.find((a) => a.where.endsWith('ga4-api-secret'))!.action).toBe('not given');
    expect(parameters.get('/lending-backbone/dev/marketing/meta-access-token')).toEqual({
      value: 'meta-token',
      secure: true,
    });
    expect(parameters.get('/lending-backbone/dev/aurora/endpoint')).toEqual({
      value: 'value-of-aurora/endpoint',
      secure: false,
    });
    const key = parameters.get('/lending-backbone/dev/marketing/webhook-signing-key')!.value;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const again = await bootstrap('dev', file, ports, { [secretVariable('marketing/ga4-api-secret')]: 'ga4' });
    expect(again.find((a) => a.where.endsWith('webhook-signing-key'))!.action).toBe('kept');
    expect(parameters.get('/lending-backbone/dev/marketing/webhook-signing-key')!.value).toBe(key);
    const findings = await preflight('dev', file, services, ports);
    expect(findings.filter((f) => f.status === 'missing')).toEqual([]);
  });

  it('writes no placeholder, and refuses a parameter no template reads', async () => {
    const { ports, parameters } = memoryPorts();
    const file = { ...complete(), ssm: { 'aurora/endpoint': '<cluster>.rds.amazonaws.com' } };
    expect((await bootstrap('dev', file, ports, {}))[0]).toEqual({
      where: '/lending-backbone/dev/aurora/endpoint',
      action: 'still a placeholder',
    });
    expect(parameters.has('/lending-backbone/dev/aurora/endpoint')).toBe(false);
    await expect(bootstrap('dev', { ...file, ssm: { 'aurora/typo': 'x' } }, ports, {})).rejects.toThrow(
      "the stage file's ssm: has aurora/typo, which no template reads",
    );
  });
});
