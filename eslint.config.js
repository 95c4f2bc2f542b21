// The linter: typescript-eslint's recommended type-checked rules over src/, test/, bench/ and scripts/. Type-checked,
// because the mistakes that cost a copier data are about types (a promise nobody awaits, an async callback where a
// sync one is expected, a value that may be undefined), not about style.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.bed/**', 'ciclone/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
