/**
 * npm run lint:workflows's linters find what is wrong in a workflow (so that its "clean" means something), and find
 * the project's own workflows clean.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionlint, workflowFiles, zizmor } from '../lint/workflows';

it('reports a planted workflow’s faults, and the project’s workflows as clean', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'workflows-'));
  const planted = path.join(dir, 'planted.yml');
  writeFileSync(
    planted,
    [
      'name: planted',
      'on: pull_request_target',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo ${{ steps.nothing.outputs.x }}',
      '',
    ].join('\n'),
  );
  const lint = await actionlint([planted]);
  expect(lint.map((f) => f.rule)).toEqual(expect.arrayContaining(['expression']));
  const audit = (await zizmor([planted])).map((f) => f.rule);
  expect(audit).toEqual(
    expect.arrayContaining(['dangerous-triggers', 'unpinned-uses', 'artipacked', 'template-injection']),
  );

  const files = workflowFiles();
  expect(files.map((f) => path.basename(f)).sort()).toEqual(['ci.yml', 'deploy.yml']);
  expect(await actionlint(files)).toEqual([]);
  expect(await zizmor(files)).toEqual([]);
}, 300_000);
