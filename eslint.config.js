// The rules a machine checks (CONTRIBUTING.md, "Layers"): which layer may import which, no import
// cycles, no floating promises. Style is left to .editorconfig and review: no formatting rules here.
// web/ is plain browser JavaScript, type-checked through its JSDoc by web/tsconfig.json.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/**
 * A folder may not import these layers; `why` is what the linter says. `typesOnly` layers may be
 * imported with `import type` only (the packager reads a MediaFeed's shape, never ingest's code).
 */
function forbid(folder, layers, why, typesOnly = []) {
  const pattern = (layer, allowTypeImports) => ({
    regex: `^(\\.\\./)+${layer}/`,
    message: `${folder}/ must not import ${allowTypeImports ? `${layer}/ except its types` : `${layer}/`}: ${why}`,
    allowTypeImports,
  });
  return {
    files: [`${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [...layers.map((layer) => pattern(layer, false)), ...typesOnly.map((layer) => pattern(layer, true))],
      }],
    },
  };
}

const MEDIA_PATH = 'the media path (ingest → packager) never waits on Postgres, the domain or HTTP; core/live/live-manager.ts is where they meet';

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/**', 'data/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts', '.js'], 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  forbid('ingest', ['db', 'api', 'core', 'chat', 'jobs', 'packager'], MEDIA_PATH),
  forbid('packager', ['db', 'api', 'core', 'chat', 'jobs'], MEDIA_PATH, ['ingest']),
  forbid('core', ['api'], 'the domain knows nothing of HTTP: throw a DomainError (core/errors.ts) and let api/errors.ts map it'),
  forbid('chat', ['api', 'core'], 'the chat gets the access check and authentication as functions from api/start.ts'),
  forbid('jobs', ['db', 'api', 'core', 'chat', 'ingest', 'packager'], 'the job queue is plumbing: its handlers live in core/'),
  forbid('db', ['api', 'core', 'chat', 'ingest', 'packager', 'jobs'], 'the database layer is the bottom: everything may use it, it uses nothing above'),
  forbid('config', ['api', 'core', 'chat', 'ingest', 'packager', 'jobs', 'db'], 'settings are read by every layer and depend on none'),
);
