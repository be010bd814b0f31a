// eslint.config.js — ESLint 9 flat config for sluice: typescript-eslint "recommended" (syntax only, not
// type-aware, to stay fast) over src/, test/ and bench/, with a few pragmatic tweaks listed inline.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused names are errors, except deliberate ones spelled with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `any` is banned on hot paths by review; allow it with a warning elsewhere (tests, adapters).
      '@typescript-eslint/no-explicit-any': 'warn',
      // Non-null assertions are how strict TS reads checked array/map accesses.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Empty catch blocks with a comment are intentional; empty functions are common no-op callbacks.
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-empty-function': 'off',
      // Control characters in regexes are used on purpose (wire protocol, key codecs).
      'no-control-regex': 'off',
      // Exhaustive switches use `const never: never = x` in default branches; allow `case` declarations.
      'no-case-declarations': 'off',
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2022,
      globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
