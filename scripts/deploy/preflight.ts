/**
 * The preflight (everything a stage lacks, said at once, with how to provide each) and the bootstrap (the stage's SSM
 * parameters written from its stage file, its secure ones generated or taken from the environment), against ports
 * that AWS's SSM and ECR clients implement (scripts/deploy.ts), or a test's.
 */
import { randomBytes } from 'node:crypto';
import { REQUIREMENTS, ssmPath, type Requirement } from './requirements';
import type { StageFile } from './stage-file';

export interface DeployPorts {
  /** Which of these SSM parameters exist. */
  existingParameters(names: readonly string[]): Promise<Set<string>>;
  /** The tags a repository holds; undefined when there is no such repository. */
  imageTags(repository: string): Promise<Set<string> | undefined>;
  putParameter(name: string, value: string, secure: boolean): Promise<void>;
}

export type FindingStatus = 'ok' | 'missing' | 'default' | 'made by this deploy';

export interface Finding {
  requirement: Requirement;
  /** Where it is looked for: an SSM path, a param, an image reference. */
  where: string;
  status: FindingStatus;
}

/** The environment variable bootstrap takes a secure value from: BOOTSTRAP_SECRET_MARKETING_META_ACCESS_TOKEN. */
export const secretVariable = (name: string): string => `BOOTSTRAP_SECRET_${name.toUpperCase().replace(/[/-]/g, '_')}`;

/** A value the stage file still has as its template left it: "<your-org>". */
export const isPlaceholder = (value: string): boolean => /<[^<>]+>/.test(value);

const needed = (requirement: Requirement, services: readonly string[]): boolean =>
  requirement.services.includes('*') || requirement.services.some((s) => services.includes(s));

export async function preflight(
  stage: string,
  stageFile: StageFile,
  services: readonly string[],
  ports: DeployPorts,
): Promise<Finding[]> {
  const wanted = REQUIREMENTS.filter((r) => needed(r, services));
  const inSsm = wanted.filter((r) => ['ssm', 'ssm-secure', 'stack-output'].includes(r.kind));
  const existing = await ports.existingParameters(inSsm.map((r) => ssmPath(stage, r.name)));
  return Promise.all(
    wanted.map(async (requirement): Promise<Finding> => {
      switch (requirement.kind) {
        case 'ssm':
        case 'ssm-secure': {
          const where = ssmPath(stage, requirement.name);
          return { requirement, where, status: existing.has(where) ? 'ok' : 'missing' };
        }
        case 'stack-output': {
          const where = ssmPath(stage, requirement.name);
          // Deployed together, the stack that writes it is deployed first (serverless-compose's order).
          if (services.includes('dlq-console')) return { requirement, where, status: 'made by this deploy' };
          return { requirement, where, status: existing.has(where) ? 'ok' : 'missing' };
        }
        case 'param': {
          const value = stageFile.params[requirement.name];
          const given = value !== undefined && value !== '' && !isPlaceholder(value);
          const status = given ? 'ok' : requirement.optional && value === undefined ? 'default' : 'missing';
          return { requirement, where: `params.${requirement.name}`, status };
        }
        case 'image': {
          const tag = stageFile.params['engineImageTag'] ?? stage;
          const tags = await ports.imageTags(requirement.name);
          return { requirement, where: `${requirement.name}:${tag}`, status: tags?.has(tag) ? 'ok' : 'missing' };
        }
      }
    }),
  );
}

export interface BootstrapAction {
  where: string;
  action: 'written' | 'generated' | 'taken from the environment' | 'kept' | 'not given' | 'still a placeholder';
}

/**
 * Writes the stage's plain SSM parameters from its stage file (overwriting: the file is the truth), and each secure
 * one from the environment (secretVariable) or, for a key it may make up, generated once and then kept. Never writes
 * a secret anywhere else, and never prints one.
 */
export async function bootstrap(
  stage: string,
  stageFile: StageFile,
  ports: DeployPorts,
  env: Record<string, string | undefined> = process.env,
): Promise<BootstrapAction[]> {
  const known = new Set(REQUIREMENTS.filter((r) => r.kind === 'ssm').map((r) => r.name));
  const unknown = Object.keys(stageFile.ssm).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(
      `the stage file's ssm: has ${unknown.join(', ')}, which no template reads; the names it knows: ${[...known].join(', ')}`,
    );
  const actions: BootstrapAction[] = [];
  for (const [name, value] of Object.entries(stageFile.ssm)) {
    if (isPlaceholder(value)) {
      actions.push({ where: ssmPath(stage, name), action: 'still a placeholder' });
      continue;
    }
    await ports.putParameter(ssmPath(stage, name), value, false);
    actions.push({ where: ssmPath(stage, name), action: 'written' });
  }
  const secure = REQUIREMENTS.filter((r) => r.kind === 'ssm-secure');
  const existing = await ports.existingParameters(secure.map((r) => ssmPath(stage, r.name)));
  for (const requirement of secure) {
    const where = ssmPath(stage, requirement.name);
    const given = env[secretVariable(requirement.name)];
    if (given) {
      await ports.putParameter(where, given, true);
      actions.push({ where, action: 'taken from the environment' });
    } else if (existing.has(where)) actions.push({ where, action: 'kept' });
    else if (requirement.generate) {
      await ports.putParameter(where, randomBytes(32).toString('base64url'), true);
      actions.push({ where, action: 'generated' });
    } else actions.push({ where, action: 'not given' });
  }
  return actions;
}
