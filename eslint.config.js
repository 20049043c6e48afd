import tseslint from 'typescript-eslint';

/**
 * The layers, lowest first (README, "How it is built"). A module imports from its own layer and
 * those below it, never from one above: what two layers share lives in the lower one.
 */
const LAYERS = [
  { name: 'domain', dirs: ['catalog', 'errors', 'sheet', 'scraper', 'rating', 'report', 'email', 'concurrency', 'config'] },
  { name: 'data', dirs: ['ledger', 'run-data', 'budget', 'storage'] },
  { name: 'contracts', dirs: ['contracts'] },
  { name: 'activities', dirs: ['activities'] },
  { name: 'workflows', dirs: ['workflows'] },
  // What a user can do (fire, retry, cancel, schedule), for every front end: the CLI and the API.
  { name: 'control', dirs: ['control'] },
  // Entry points and the dev-only emulators and tools: they may import anything below.
  { name: 'entry points', dirs: ['api', 'workers', 'cli', 'trigger', 'stack', 'batch', 'portal', 'samples', 'bench', 'infra', 'runner'] },
];

/** The imports a module of `layer` may not make: every folder of the layers above it. */
function upwardImports(layer) {
  const at = LAYERS.findIndex((l) => l.name === layer);
  return LAYERS.slice(at + 1).flatMap((above) =>
    above.dirs.map((dir) => ({
      group: [`../${dir}/*`],
      message: `${layer} may not import ${dir}/ (${above.name}): layers point one way, ${LAYERS.map((l) => l.name).join(' → ')}. Move what both need down to the lower layer.`,
    })),
  );
}

/** Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O. */
const SANDBOX = [
  { group: ['node:*'], message: 'Workflows run in a sandbox without Node APIs; do it in an activity.' },
  { group: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'events', 'timers', 'worker_threads', 'zlib'], message: 'Workflows run in a sandbox without Node APIs; do it in an activity.' },
  { group: ['../activities/*'], allowTypeImports: true, message: 'Workflows import activities by type only (import type).' },
  { group: ['@aws-sdk/*', 'undici', 'exceljs', 'cheerio'], message: 'Workflows do no I/O; call an activity.' },
];

/** One block a layer: flat config replaces a rule's options rather than merging them, so the workflows' sandbox rules join theirs. */
const layerBlocks = LAYERS.slice(0, -1).map((layer) => ({
  files: layer.dirs.map((dir) => `${dir}/**/*.ts`),
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...(layer.name === 'workflows' ? SANDBOX : []), ...upwardImports(layer.name)] }],
  },
}));

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
  ...layerBlocks,
);
