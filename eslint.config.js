// Lint rules: typescript-eslint's recommended set, plus the layering rule from DESIGN.md
// (only server/ may import express).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'certs/**', '.test-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Tests read JSON bodies loosely; `any` there is a convenience, not a hole.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['idp/**', 'directory/**', 'access/**', 'store/**', 'model/**', 'cli/**', 'crypto/**', 'cache/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'express', message: 'Only server/ imports express (DESIGN.md).' }] }],
    },
  },
);
