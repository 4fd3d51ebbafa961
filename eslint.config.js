// The rules a machine checks (CONTRIBUTING.md, "Layers"): which layer may import which, no import
// cycles, no floating or misused promises; knip (knip.jsonc) finds unused files and exports.
// Style is left to .editorconfig and review: no formatting rules here.
// web/ is plain browser JavaScript, type-checked through its JSDoc by web/tsconfig.json.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/**
 * A folder may not import these layers; `why` is what the linter says. `typesOnly` ({ file, why })
 * names single files of another layer that may be imported with `import type` only (the packager
 * reads a MediaFeed's shape from ingest/contracts.ts, never ingest's code); the rest of that layer
 * stays forbidden.
 */
function forbid(folder, layers, why, typesOnly = []) {
  const pattern = (regex, message, reason, allowTypeImports = false) => ({ regex, message: `${folder}/ must not import ${message}: ${reason}`, allowTypeImports });
  const layerPatterns = layers.map((layer) => pattern(`^(\\.\\./)+${layer}/`, `${layer}/`, why));
  const typePatterns = typesOnly.flatMap(({ file, why: typesWhy }) => {
    const [layer, name] = file.split('/');
    const escaped = name.replaceAll('.', '\\.');
    return [
      pattern(`^(\\.\\./)+${layer}/(?!${escaped}$)`, `${layer}/ other than the types of ${file}`, typesWhy),
      pattern(`^(\\.\\./)+${layer}/${escaped}$`, `${file} except with \`import type\``, typesWhy, true),
    ];
  });
  return {
    files: [`${folder}/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...layerPatterns, ...typePatterns] }] },
  };
}

const CONFIG_TYPES = {
  file: 'config/index.ts',
  why: 'the media path is handed its settings and logger by whoever starts it (api/start.ts, a test, a bench), it never loads them',
};
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
    // The code imports with explicit .ts extensions (Node strips the types): the node resolver finds them.
    settings: { 'import-x/extensions': ['.ts', '.js'], 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      // A promise handed where a callback's result is ignored (setInterval, an event listener) loses its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      // `import type` does not load a module, so a cycle through types only is no cycle at run time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  forbid('ingest', ['db', 'api', 'core', 'chat', 'jobs', 'packager'], MEDIA_PATH, [CONFIG_TYPES]),
  forbid('packager', ['db', 'api', 'core', 'chat', 'jobs'], MEDIA_PATH, [CONFIG_TYPES, {
    file: 'ingest/contracts.ts',
    why: 'the packager sees a publisher only as a MediaFeed, so any ingest protocol can feed it and ingest never runs inside it',
  }]),
  forbid('core', ['api'], 'the domain knows nothing of HTTP: throw a DomainError (core/errors.ts) and let api/errors.ts map it'),
  forbid('chat', ['api', 'core'], 'the chat gets the access check and authentication as functions from api/start.ts'),
  forbid('jobs', ['db', 'api', 'core', 'chat', 'ingest', 'packager'], 'the job queue is plumbing: its handlers live in core/'),
  forbid('db', ['api', 'core', 'chat', 'ingest', 'packager', 'jobs'], 'the database layer is the bottom: everything may use it, it uses nothing above'),
  forbid('config', ['api', 'core', 'chat', 'ingest', 'packager', 'jobs', 'db'], 'settings are read by every layer and depend on none'),
);
