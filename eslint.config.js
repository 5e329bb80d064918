// ESLint (flat config) with typescript-eslint's type-aware rules over the package's TypeScript.
// Its job beyond style: no promise left floating and none handed where a callback's result is
// ignored (an unhandled rejection ends a long-running cycle or fleet process), no await of a
// non-promise. Generated files carry an eslint-disable banner; platforms/n8n has n8n's own linter.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'platforms/**', 'src/generated/**', 'bench/results/**', 'bin/**', 'test/procs/**', 'test/fixtures/lint/**', '**/*.mjs', '**/*.mts', 'eslint.config.js', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.test.json', './src/wallboard/web/tsconfig.json'],
        tsconfigRootDir: __dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // The codebase reads untyped JSON (manifests, schemas, SOAP trees) at its edges.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      // An AbortSignal's reason (an Error by default, `any` by type) is passed on as it is.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests load modules afresh and fixtures by path with require().
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
