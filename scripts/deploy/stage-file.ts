/**
 * A stage file (deploy/stages/<stage>.yml): the region and account a stage lives in, the params every service is
 * deployed with, and the plain SSM values bootstrap writes. Never a secret: secure values are generated or handed to
 * bootstrap in the environment.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const STAGES_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'stages');

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const stageFileSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'an AWS region such as eu-west-1'),
    /** When set, deploying with credentials of another account is refused. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    /** Termination protection on every stack (prod). */
    protect: z.boolean().default(false),
    params: z.record(z.string(), scalar).default({}),
    ssm: z.record(z.string().regex(/^[a-z0-9-]+\/[a-z0-9/-]+$/, 'a path such as aurora/endpoint'), scalar).default({}),
  })
  .strict();

export type StageFile = z.infer<typeof stageFileSchema>;

/** Reads and checks deploy/stages/<stage>.yml (or `file`), saying what is wrong and where. */
export function readStageFile(stage: string, file = path.join(STAGES_DIR, `${stage}.yml`)): StageFile {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `no stage file for "${stage}" at ${path.relative(process.cwd(), file)} (${(error as Error).message}): ` +
        'copy deploy/stages/dev.yml and fill it in',
    );
  }
  const parsed = stageFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${path.relative(process.cwd(), file)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
