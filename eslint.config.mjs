// Lint: typescript-eslint's type-aware rules plus Nx module boundaries, so
// the dependency direction of STYLE §1 is enforced, not just documented.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.mjs', '**/*.js', '**/testdata/**'] },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports (STYLE §11).' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:base', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:wire', onlyDependOnLibsWithTags: ['type:base'] },
            // The pure layer may use wire's types and codecs and other pure packages (replica composes
            // data-tree, election and broadcast); the leaves of the layer ('layer:leaf': data-tree,
            // election, broadcast) depend on base only, so election and broadcast never import each other.
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:base', 'type:wire', 'type:pure'] },
            { sourceTag: 'layer:leaf', onlyDependOnLibsWithTags: ['type:base'] },
            { sourceTag: 'type:io', onlyDependOnLibsWithTags: ['type:base'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:base', 'type:wire'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:base', 'type:wire', 'type:pure', 'type:io'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:base', 'type:wire', 'type:pure', 'type:io', 'type:client', 'type:app'] },
          ],
        },
      ],
    },
  },
  {
    // The pure layer holds no I/O, timers or clocks (STYLE §1, §4).
    files: [
      'packages/data-tree/src/**/*.ts', 'packages/base/src/**/*.ts', 'packages/election/src/**/*.ts', 'packages/broadcast/src/**/*.ts',
      'packages/replica/src/**/*.ts', 'tools/lincheck/src/**/*.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'net', 'timers', '@grpc/*', 'classic-level'], message: 'pure packages import no I/O' }] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'performance'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'Math', property: 'random' }],
    },
  },
  {
    // The simulator is deterministic (STYLE §4): only its CLI touches the process, the clock and ambient randomness.
    files: ['tools/sim/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'tools/sim/src/cli.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'net', 'timers'], message: 'the simulation imports no I/O' }] }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'performance', 'process'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }, { object: 'Math', property: 'random' }],
    },
  },
  {
    files: ['packages/wire/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:fs', 'node:net', 'node:timers', '@grpc/*', 'classic-level'], message: 'wire may use node:buffer only' }] }],
    },
  },
];
