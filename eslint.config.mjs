import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * What may import what. A service is entered from outside only through `@backbone/<name>/contracts` (what it
 * publishes for other services) and `@backbone/<name>/local` (its public face for tooling); everything else under it
 * is internal. Shared code is reached through `@backbone/shared`'s
 * entry points, never by path. Each rule below is proven by a test that plants a wrong import
 * (scripts/lint/boundaries.test.ts).
 */
const SERVICES = readdirSync(path.join(import.meta.dirname, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const THROUGH_SHARED_ENTRY_POINTS = {
  group: ['**/shared/src', '**/shared/src/**', '@backbone/shared/src/**'],
  message: "import shared code through its entry points: '@backbone/shared', '@backbone/shared/<entry>'",
};
const NOT_SCRIPTS = {
  group: ['**/scripts/**', '**/scripts'],
  message: 'services never import scripts/: what a local run needs from a service goes in its face (local/index.ts)',
};

const DOMAIN_STAYS_FREE_OF_ADAPTERS = {
  group: ['@aws-sdk/*', 'cassandra-driver', 'pg', '**/adapters/**', '**/functions/**'],
  message: 'domain code imports no adapter',
};

/**
 * Per service: of another service, only its published contracts (`@backbone/<other>/contracts`: the messages it
 * accepts and publishes, its API's schemas, small typed clients). Services talk only through SQS and HTTP.
 */
const boundariesOf = (service) => [
  THROUGH_SHARED_ENTRY_POINTS,
  NOT_SCRIPTS,
  ...SERVICES.filter((other) => other !== service).map((other) => ({
    // Its package or a path into its folder, except its contracts by their package name.
    regex: `^(?!@backbone/${other}/contracts(/[\\w-]+)?$)(@backbone/${other}|.*/${other})(/.*)?$`,
    message: `a service imports another service (${other}) only through its contracts: '@backbone/${other}/contracts'`,
  })),
];

// One block per service, and one more for its domain code: a later block's options for a rule replace an earlier
// one's, so the domain block repeats the service's boundaries beside its own.
const serviceBoundaries = SERVICES.flatMap((service) => [
  {
    files: [`services/${service}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: boundariesOf(service) }] },
  },
  {
    // Domain code stays free of adapters: no AWS, Cassandra or PostgreSQL client, no function wiring.
    files: [`services/${service}/src/domain/**/*.ts`, `services/${service}/engine/domain/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...boundariesOf(service), DOMAIN_STAYS_FREE_OF_ADAPTERS] }],
    },
  },
]);

export default tseslint.config(
  {
    ignores: [
      '.bench/**',
      '**/node_modules/**',
      '**/.serverless/**',
      '**/.esbuild/**',
      '**/.esbuild-package/**',
      '**/.esbuild-iam/**',
      '**/.serverless-iam/**',
      '.local-cloud/**',
      'coverage/**',
      '.stryker/**',
      // Bundles (the rules engine's dist/engine.js).
      'services/*/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      // Implementations of async interfaces (stores, sinks, fakes) need not await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tooling enters a service only through its face, and shared code only through its entry points.
    files: ['scripts/**/*.ts', 'jest.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            THROUGH_SHARED_ENTRY_POINTS,
            {
              group: ['**/services/**'],
              message: "tooling imports a service only through its face: '@backbone/<service>/local'",
            },
            {
              // Any module of a service but its face (local/index.ts, or a light part of it such as local/catalogue.ts)
              // and its contracts.
              regex: `^@backbone/(${SERVICES.join('|')})(?!/(local|contracts)(/[\\w-]+)?$)(/.*)?$`,
              message:
                "tooling imports a service only through its face or its contracts: '@backbone/<service>/local', '@backbone/<service>/contracts'",
            },
          ],
        },
      ],
    },
  },
  {
    // Shared code is the bottom layer: no service, no script.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NOT_SCRIPTS,
            { group: ['**/services/**', '@backbone/*', '!@backbone/shared'], message: 'shared/ imports no service' },
          ],
        },
      ],
    },
  },
  {
    // Libraries (packages/*) stand beside shared/: they import no service and no script.
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            THROUGH_SHARED_ENTRY_POINTS,
            NOT_SCRIPTS,
            {
              group: [
                '**/services/**',
                ...SERVICES.map((s) => `@backbone/${s}`),
                ...SERVICES.map((s) => `@backbone/${s}/**`),
              ],
              message: 'a library imports no service',
            },
          ],
        },
      ],
    },
  },
  ...serviceBoundaries,
  {
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // expect.stringMatching() and friends are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Node scripts run as they are (scripts/local-cloud/offline-timeout-probe.mjs).
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', performance: 'readonly', process: 'readonly' } },
  },
  prettier,
);
