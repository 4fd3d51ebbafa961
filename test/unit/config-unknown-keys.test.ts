// An old or mistyped config file must not stop the server: the keys no setting reads are ignored,
// and each one is named in a warning (a removed setting says it was removed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configFileWith } from '../helpers/config-files.ts';
import { loadConfig } from '../../config/index.ts';
import { REMOVED_SETTINGS } from '../../config/unknown-keys.ts';

const fileWith = configFileWith;

function load(options: { file?: string; env?: NodeJS.ProcessEnv }): { config: ReturnType<typeof loadConfig>; warnings: string[] } {
  const warnings: string[] = [];
  const config = loadConfig({ env: options.env ?? {}, file: options.file ?? '', warn: (message) => warnings.push(message) });
  return { config, warnings };
}

describe('config: keys no setting reads', () => {
  it('a mistyped key is ignored with a warning that names it and the file; the rest applies', () => {
    const file = fileWith('http:\n  prot: 8080\n  port: 8081\nstreaming: { on: true }\n');
    const { config, warnings } = load({ file });
    assert.equal(config.http.port, 8081);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /http\.prot is not a setting; ignored/);
    assert.ok(warnings[0].includes(file), warnings[0]);
    assert.match(warnings[1], /streaming is not a setting; ignored/);
  });

  it('a file of known settings only warns about nothing', () => {
    const { warnings } = load({ file: fileWith('chat:\n  xmpp: { enabled: true }\ntranscoding:\n  ladder:\n    - { height: 480, videoBitrateKbps: 1000 }\n') });
    assert.deepEqual(warnings, []);
  });

  for (const [path, note] of Object.entries(REMOVED_SETTINGS)) {
    it(`the removed ${path}, in a file or the environment, is named as removed and does not stop start-up`, () => {
      const [section, key] = path.split('.');
      const fromFile = load({ file: fileWith(`${section}:\n  ${key}: false\n`) });
      assert.deepEqual(fromFile.warnings.map((line) => line.includes(`${path} was removed (${note})`)), [true]);
      const name = path.replace('.', '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      const fromEnv = load({ env: { [name]: 'false' } });
      assert.deepEqual(fromEnv.warnings, [`${name}: ${path} was removed (${note}); ignored`]);
    });
  }
});
