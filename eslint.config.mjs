import tseslint from 'typescript-eslint';

// The pure core (model, expr, engine) does no I/O, reads no clock, env or randomness.
const pureCore = {
  files: ['lib/model/**/*.ts', 'lib/expr/**/*.ts', 'lib/engine/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'child_process', 'node:child_process',
        'http', 'node:http', 'https', 'node:https', 'os', 'node:os']
        .map((name) => ({ name, message: 'The pure core does no I/O.' })),
      patterns: [{ group: ['@google-cloud/*'], message: 'Only lib/adapters/gcp and GCP plugins import Google Cloud clients.' },
        { group: ['**/adapters/**', '**/runtime/**', '**/worker/**'], message: 'Dependencies point one way: model <- expr <- engine <- worker <- runtime.' }],
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
  ignores: ['lib/adapters/gcp/**', 'lib/plugins/gcp/**'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: ['@google-cloud/*'], message: 'Only lib/adapters/gcp and lib/plugins/gcp import Google Cloud clients.' }] }],
  },
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
);
