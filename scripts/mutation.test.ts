import { chunksOf, mergeReports, ownFiles, ownPrefixOf, scoreFiles, type Report } from './mutation';

const mutants = (...statuses: Report['files'][string]['mutants'][number]['status'][]) => ({
  mutants: statuses.map((status) => ({ status, mutatorName: 'StringLiteral' })),
});

describe('the mutation report', () => {
  it('scores each file as detected per valid mutant, leaving out ignored ones and errors', () => {
    const files = scoreFiles({
      files: {
        'b.ts': mutants('Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError'),
        'a.ts': mutants('Ignored'),
      },
    });
    expect(files).toEqual([
      { file: 'a.ts', killed: 0, survived: 0, noCoverage: 0, ignored: 1, score: 100 },
      { file: 'b.ts', killed: 2, survived: 1, noCoverage: 1, ignored: 1, score: 50 },
    ]);
  });

  it("takes the second run's files (their tables mutated too) over the first run's", () => {
    const merged = mergeReports(
      { files: { 'tables.ts': mutants('Killed'), 'other.ts': mutants('Survived') } },
      { files: { 'tables.ts': mutants('Killed', 'Survived') } },
    );
    expect(merged.files['tables.ts']).toEqual(mutants('Killed', 'Survived'));
    expect(merged.files['other.ts']).toEqual(mutants('Survived'));
  });
});

describe('the parts of the mutation scope', () => {
  it('makes a part per service (a pattern over every service split among them), the shared library and each package', () => {
    const chunks = chunksOf(
      [
        'services/*/src/domain/**/*.ts',
        'services/snoop-scheduler/engine/domain/**/*.ts',
        'shared/src/sqs/**/*.ts',
        'packages/rules-language/src/parser.ts',
        '!**/*.test.ts',
      ],
      ['marketing-events', 'snoop-scheduler'],
    );
    expect(Object.fromEntries(chunks)).toEqual({
      'marketing-events': ['services/marketing-events/src/domain/**/*.ts', '!**/*.test.ts'],
      'snoop-scheduler': [
        'services/snoop-scheduler/src/domain/**/*.ts',
        'services/snoop-scheduler/engine/domain/**/*.ts',
        '!**/*.test.ts',
      ],
      shared: ['shared/src/sqs/**/*.ts', '!**/*.test.ts'],
      'rules-language': ['packages/rules-language/src/parser.ts', '!**/*.test.ts'],
    });
  });
});

describe('a part’s own files', () => {
  it('keeps only the files of its folder, whatever else an older run left in its report', () => {
    const report = { files: { 'shared/src/a.ts': { mutants: [] }, 'services/x/src/b.ts': { mutants: [] } } };
    expect(Object.keys(ownFiles(report, ownPrefixOf('x', ['x'])))).toEqual(['services/x/src/b.ts']);
    expect(Object.keys(ownFiles(report, ownPrefixOf('shared', ['x'])))).toEqual(['shared/src/a.ts']);
    expect(ownPrefixOf('rules-language', ['x'])).toBe('packages/rules-language/');
  });
});
