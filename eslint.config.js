import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.venv/', '.drover/', 'infra/cdk.out/', '**/*.cjs', '**/*.mjs', 'eslint.config.js', 'jest.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflows run in a sandbox without Node APIs; do it in an activity.' },
            { group: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'events', 'timers', 'worker_threads', 'zlib'], message: 'Workflows run in a sandbox without Node APIs; do it in an activity.' },
            { group: ['../activities/*'], allowTypeImports: true, message: 'Workflows import activities by type only (import type).' },
            { group: ['@aws-sdk/*', 'undici', 'exceljs', 'cheerio'], message: 'Workflows do no I/O; call an activity.' },
          ],
        },
      ],
    },
  },
);
