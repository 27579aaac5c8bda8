/**
 * The import boundaries hold because `npm run lint` refuses a wrong import: each case plants one in a file
 * where it does not belong (the file's text replaced by the import and a use of it, linted at the file's
 * path with the repository's own ESLint configuration); each right import beside them passes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

type Case = { file: string; importLine: string };

/** The planted file: the import, and a use of what it imports (so that nothing else is wrong with it). */
const snippet = (importLine: string): string =>
  `${importLine}\nexport const used = [${/\{ (\w+) \}/.exec(importLine)![1]}];\n`;

/** Every case linted in one ESLint process (type-aware linting builds its program once). */
function lintAll(cases: readonly Case[]): string[][] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-snippets.mjs')], {
    input: JSON.stringify(cases.map(({ file, importLine }) => ({ file, code: snippet(importLine) }))),
    encoding: 'utf8',
  });
  return (JSON.parse(output) as { ruleId: string | null; message: string }[][]).map((messages) =>
    messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
  );
}

interface Planted {
  wrong: { rule: string; file: string; importLine: string; refusal: string }[];
  right: { case: string; file: string; importLine: string }[];
}

/** The planted imports are data (planted-imports.json): this file imports none of them. */
const { wrong: WRONG, right: RIGHT } = JSON.parse(
  readFileSync(path.join(__dirname, 'planted-imports.json'), 'utf8'),
) as Planted;

let found: string[][];

beforeAll(() => {
  found = lintAll([...WRONG, ...RIGHT].map(({ file, importLine }) => ({ file, importLine })));
}, 120_000);

describe('import boundaries (npm run lint)', () => {
  it('plants each import in a file that exists (a missing one is linted as nothing, and would pass)', () => {
    const missing = [...WRONG, ...RIGHT].map((c) => c.file).filter((file) => !existsSync(path.join(ROOT, file)));
    expect(missing).toEqual([]);
  });

  it('plants every kind of wrong import', () => {
    expect(WRONG.map((c) => c.rule)).toHaveLength(13);
    expect(RIGHT).toHaveLength(9);
  });

  it.each(WRONG.map((c, i) => [c.rule, c.refusal, i] as const))('%s', (_rule, refusal, index) => {
    expect(found[index]).toEqual([expect.stringMatching(new RegExp(refusal))]);
  });

  it.each(RIGHT.map((c, i) => [c.case, WRONG.length + i] as const))('allows what is right: %s', (_case, index) => {
    expect(found[index]).toEqual([]);
  });
});
