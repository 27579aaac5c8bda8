/**
 * The import boundaries hold because `npm run lint` refuses a wrong import: each case plants one in a file
 * where it does not belong (the file's text replaced by the import and a use of it, linted at the file's
 * path with the repository's own ESLint configuration); each right import beside them passes.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

type Case = [description: string, file: string, importLine: string];

/** The planted file: the import, and a use of what it imports (so that nothing else is wrong with it). */
const snippet = (importLine: string): string =>
  `${importLine}\nexport const used = [${/\{ (\w+) \}/.exec(importLine)![1]}];\n`;

/** Every case linted in one ESLint process (type-aware linting builds its program once). */
function lintAll(cases: readonly Case[]): string[][] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-snippets.mjs')], {
    input: JSON.stringify(cases.map(([, file, importLine]) => ({ file, code: snippet(importLine) }))),
    encoding: 'utf8',
  });
  return (JSON.parse(output) as { ruleId: string | null; message: string }[][]).map((messages) =>
    messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
  );
}

/** [what the rule says, where the import is planted, the import, what the lint error must say] */
const WRONG: [...Case, RegExp][] = [
  [
    'scripts never import a service file',
    'scripts/bench/marketing.ts',
    "import { createDispatchHandler } from '../../services/marketing-events/src/functions/dispatch-events/handler';",
    /only through its face/,
  ],
  [
    'scripts never import a service package past its face',
    'scripts/bench/marketing.ts',
    "import { migrate } from '@backbone/rules-ingestion/src/adapters/migrations';",
    /only through its face/,
  ],
  [
    'scripts reach shared code through its entry points',
    'scripts/provision.ts',
    "import { createSqsClient } from '../shared/src/aws/clients';",
    /entry points/,
  ],
  [
    'services never import scripts',
    'services/marketing-events/test/integration/delivery.int.test.ts',
    "import { provision } from '../../../../scripts/provision';",
    /never import scripts/,
  ],
  [
    'a service never imports another service by package',
    'services/snoop-scheduler/src/service.ts',
    "import { seedCatalogue } from '@backbone/rules-ingestion/local';",
    /never imports another service \(rules-ingestion\)/,
  ],
  [
    'a service never imports another service by path',
    'services/snoop-scheduler/src/functions/rule-set-published/wiring.ts',
    "import { SEED_CATALOGUE } from '../../../../rules-ingestion/src/cli';",
    /never imports another service \(rules-ingestion\)/,
  ],
  [
    'domain code never imports an adapter',
    'services/marketing-events/src/domain/outcome.ts',
    "import { createDynamoDbDeliveryLedger } from '../adapters/dynamodb-ledger';",
    /imports no adapter/,
  ],
  [
    'domain code never imports an AWS client',
    'services/snoop-scheduler/src/domain/active-rule-set.ts',
    "import { SQSClient } from '@aws-sdk/client-sqs';",
    /imports no adapter/,
  ],
  [
    'shared code imports no service',
    'shared/src/errors.ts',
    "import { localService } from '@backbone/marketing-events/local';",
    /imports no service/,
  ],
];

const RIGHT: Case[] = [
  [
    'a script imports a face',
    'scripts/provision.ts',
    "import { localService } from '@backbone/marketing-events/local';",
  ],
  [
    'a script imports a light part of a face',
    'scripts/provision.ts',
    "import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';",
  ],
  [
    'a service imports shared code',
    'services/snoop-scheduler/src/service.ts',
    "import { loadConfig } from '@backbone/shared';",
  ],
  [
    'a service imports its own adapters',
    'services/snoop-scheduler/src/functions/rule-set-published/wiring.ts',
    "import { readActiveRuleSet } from '../../adapters/dynamodb-rule-set-store';",
  ],
  [
    'a face imports its own service',
    'services/snoop-scheduler/local/demo.ts',
    "import { readActiveRuleSet } from '../src/adapters/dynamodb-rule-set-store';",
  ],
];

let found: string[][];

beforeAll(() => {
  found = lintAll([...WRONG.map(([rule, file, line]): Case => [rule, file, line]), ...RIGHT]);
}, 120_000);

describe('import boundaries (npm run lint)', () => {
  it.each(WRONG.map((c, i) => [...c, i] as const))('%s', (_rule, _file, _line, message, index) => {
    expect(found[index]).toEqual([expect.stringMatching(message)]);
  });

  it.each(RIGHT.map((c, i) => [...c, WRONG.length + i] as const))(
    'allows what is right: %s',
    (_case, _file, _line, index) => {
      expect(found[index]).toEqual([]);
    },
  );
});
