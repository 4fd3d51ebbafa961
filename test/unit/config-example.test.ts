// config.example.yaml is generated from config/schema.ts (npm run config:example). These tests fail
// when the committed file is stale (a setting or a description changed without regenerating it),
// when it is not a valid config file giving exactly the defaults, or when a setting it documents
// has no description or names an environment variable that load.ts does not read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, ConfigError, envNameFor } from '../../config/index.ts';
import { ConfigSchema } from '../../config/schema.ts';
import { renderConfigExample } from '../../config/example.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'config.example.yaml');

interface NodeSchema { type?: string; description?: string; anyOf?: unknown[]; properties?: Record<string, NodeSchema> }

function settings(schema: NodeSchema, path: string[] = []): Array<{ path: string[]; schema: NodeSchema }> {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties).flatMap(([key, child]) => settings(child, [...path, key]));
  }
  return [{ path, schema }];
}

function valueAt(config: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

describe('config.example.yaml', () => {
  it('is what `npm run config:example` makes of the schema now', () => {
    assert.equal(readFileSync(EXAMPLE, 'utf8'), renderConfigExample(),
      'config.example.yaml is stale: run `npm run config:example` and commit it');
  });

  it('loads through config/load.ts, without a warning, into exactly the defaults', () => {
    const warnings: string[] = [];
    const fromExample = loadConfig({ env: {}, file: EXAMPLE, warn: (message) => warnings.push(message) });
    assert.deepEqual(fromExample, loadConfig({ env: {}, file: '' }));
    assert.deepEqual(warnings, []);
  });

  it('documents every setting with a description and the environment variable load.ts reads for it', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    for (const { path, schema } of settings(ConfigSchema as unknown as NodeSchema)) {
      const name = envNameFor(path);
      assert.ok(schema.description, `${path.join('.')} has no description in config/schema.ts`);
      assert.ok(text.includes(`# env ${name} · `), `config.example.yaml does not name ${name}`);
      // The variable is read: a string takes the value; anything else rejects a value of no type.
      const probe = 'probe-value';
      if (schema.type === 'string') {
        assert.equal(valueAt(loadConfig({ env: { [name]: probe }, file: '' }), path), probe, name);
      } else {
        assert.throws(() => loadConfig({ env: { [name]: probe }, file: '' }), (error: Error) =>
          error instanceof ConfigError && (error.message.includes(name) || error.message.includes(path.join('.'))), name);
      }
    }
  });
});
