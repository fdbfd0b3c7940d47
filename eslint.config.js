// Lint: typescript-eslint's recommended and type-checked rules, and the
// project's layers as import rules, so the architecture is checked, not
// remembered (docs/design.md, "Layers").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'tls',
  'worker_threads',
  'process',
  'os',
].flatMap((m) => [m, `node:${m}`]);
const IO_PACKAGES = ['@kubernetes/client-node', '@grpc/grpc-js', '@grpc/proto-loader', 'prom-client', 'js-yaml'];
const ABOVE_CORE = ['cli', 'runtime', 'controllers', 'clusters', 'operator', 'sidecar', 'switch', 'gateway', 'p4'];
const OUTSIDE_SRC = ['tools', 'bench', 'test'];

/** Relative-import patterns that reach a top-level folder of src/ (or of the repository) from anywhere below it. */
const reaching = (folders) =>
  folders.flatMap((f) => [`../${f}/**`, `../../${f}/**`, `../../../${f}/**`, `../../../../${f}/**`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` marks a value that is deliberately left unused (a rest-destructuring that drops a field).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Test fakes implement async interfaces with synchronous bodies.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Nothing that ships imports the test bed, the generators, the benchmarks or the tests.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: reaching(OUTSIDE_SRC), message: 'src/ ships; it imports nothing of tools/, bench/ or test/.' },
          ],
        },
      ],
    },
  },
  {
    // The core is pure: no I/O, no clock, no randomness, nothing of the layers above it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_MODULES, ...IO_PACKAGES].map((name) => ({
            name,
            message: 'src/core does no I/O: pass data in.',
          })),
          patterns: [
            {
              group: [...reaching(ABOVE_CORE), ...reaching(OUTSIDE_SRC)],
              message: 'src/core imports nothing above it.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core reads no environment: pass values in.' },
        { name: 'setTimeout', message: 'src/core keeps no time.' },
        { name: 'setInterval', message: 'src/core keeps no time.' },
        { name: 'performance', message: 'src/core reads no clock: pass now in.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/core reads no clock: pass now in.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'src/core reads no clock: pass now in.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'src/core is deterministic: pass a seed in.',
        },
      ],
    },
  },
  {
    // The runtime is the controller framework: it knows no controller, cluster or process of ours.
    files: ['src/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...reaching(['controllers', 'clusters', 'operator', 'sidecar', 'switch', 'gateway', 'cli']),
                ...reaching(OUTSIDE_SRC),
              ],
              message: 'src/runtime imports no controller or process of ours.',
            },
          ],
        },
      ],
    },
  },
);
