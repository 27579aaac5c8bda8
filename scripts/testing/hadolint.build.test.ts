/**
 * npm run lint:docker's linter finds what is wrong (so that its "clean" means something), and finds every service's
 * Dockerfile.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerfiles, hadolint } from '../lint/hadolint';

it('reports a planted Dockerfile’s faults, and the engine’s as clean', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hadolint-'));
  const planted = path.join(dir, 'Dockerfile');
  writeFileSync(
    planted,
    'FROM node:latest\nRUN apt-get update && apt-get install -y curl\nUSER root\nCMD node app.js\n',
  );
  const codes = (await hadolint(planted)).map((finding) => finding.code);
  expect(codes).toEqual(expect.arrayContaining(['DL3007', 'DL3008', 'DL3002', 'DL3025']));
  const found = dockerfiles().map((file) => path.relative(path.join(__dirname, '../..'), file));
  expect(found).toContain('services/snoop-scheduler/engine/Dockerfile');
  for (const file of dockerfiles()) expect({ file, findings: await hadolint(file) }).toEqual({ file, findings: [] });
});
