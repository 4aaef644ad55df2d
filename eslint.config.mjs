import tseslint from 'typescript-eslint';
import layersPlugin from './scripts/lint/layers.mjs';

// The pure core (model, expr, engine) does no I/O, reads no clock, env or randomness.
const pureCore = {
  files: ['lib/model/**/*.ts', 'lib/expr/**/*.ts', 'lib/engine/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'child_process', 'node:child_process',
        'http', 'node:http', 'https', 'node:https', 'os', 'node:os']
        .map((name) => ({ name, message: 'The pure core does no I/O.' })),
      patterns: [{ group: ['@google-cloud/*'], message: 'Only lib/adapters/gcp and GCP plugins import Google Cloud clients.' }],
    }],
    'no-restricted-properties': ['error',
      { object: 'process', property: 'env', message: 'Config is injected, never read inside the pure core.' },
      { object: 'Date', property: 'now', message: 'Time is passed in.' },
      { object: 'Math', property: 'random', message: 'Randomness is passed in.' }],
    'no-restricted-syntax': ['error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time is passed in: new Date() reads the clock.' }],
    'no-restricted-globals': ['error', { name: 'process', message: 'The pure core does not touch process.' }],
  },
};

// Only the GCP adapters and GCP plugins may import Google Cloud clients.
const gcpOnly = {
  files: ['lib/**/*.ts'],
  // lib/dev/serve.ts serves functions through functions-framework's own server, for `aloft dev` and tests.
  ignores: ['lib/adapters/gcp/**', 'lib/plugins/gcp/**', 'lib/dev/serve.ts'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: ['@google-cloud/*'], message: 'Only lib/adapters/gcp and lib/plugins/gcp import Google Cloud clients.' }] }],
  },
};

// Dependencies point one way: model <- expr <- engine <- worker <- runtime <- api <- functions, cli.
// Each zone: the files it holds to it, the folders they may not import (relative imports, import()
// and require() alike). lib/wiring and lib/dev are composition roots, like functions/ and the CLI: they
// build runtimes from adapters and routes, and nothing below them imports them.
const CHAIN = ['lib/model', 'lib/expr', 'lib/engine', 'lib/worker', 'lib/runtime', 'lib/api', 'lib/cli', 'functions'];
const above = (layer) => CHAIN.slice(CHAIN.indexOf(layer) + 1);
const chainMessage = 'dependencies point one way: model <- expr <- engine <- worker <- runtime <- api <- functions, cli';
const layerZones = [
  // The pure core does no I/O: no adapters either.
  ...['lib/model', 'lib/expr', 'lib/engine'].map((files) => ({ files, forbidden: [...above(files), 'lib/adapters'], message: chainMessage })),
  { files: 'lib/worker', forbidden: above('lib/worker'), message: chainMessage },
  {
    files: 'lib/runtime', forbidden: above('lib/runtime'), message: chainMessage,
  },
  {
    files: 'lib/runtime', forbidden: ['lib/adapters/gcp'], message: 'the runtime core is transport-neutral; only the cloud wiring picks the GCP adapters',
  },
  {
    files: 'lib/api', forbidden: ['lib/cli'], message: 'the HTTP API serves the CLI, never the other way round',
  },
  {
    files: 'lib', forbidden: ['functions'], message: 'functions/ are thin entry points over lib/; lib/ never imports them',
  },
  ...['lib/model', 'lib/expr', 'lib/engine', 'lib/worker', 'lib/runtime', 'lib/api', 'lib/plugins', 'lib/adapters', 'lib/triggers', 'lib/ports'].map((files) => ({
    files, forbidden: ['lib/wiring', 'lib/dev'], message: 'lib/wiring and lib/dev compose the runtimes; nothing they compose imports them',
  })),
  ...['lib/plugins', 'lib/adapters', 'lib/triggers', 'lib/ports'].map((files) => ({
    files, forbidden: ['lib/runtime', 'lib/api', 'lib/cli'], message: 'plugins, adapters, triggers and ports sit below the runtime, the API and the CLI',
  })),
];

const layers = {
  files: ['lib/**/*.ts', 'functions/**/*.ts'],
  plugins: { aloft: layersPlugin },
  rules: { 'aloft/layers': ['error', layerZones] },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'build/**', 'coverage/**', '.aloft/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  gcpOnly,
  pureCore,
  layers,
);
