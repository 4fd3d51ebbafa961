// Found by the config-yaml fuzz surface: a config file that is not valid YAML (syntax, unknown
// alias, alias bomb, deep nesting) or cannot be read must stop start-up with a ConfigError that
// names the file and the line, as a bad value does, never with the YAML library's own error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configFileWith } from '../helpers/config-files.ts';
import { loadConfig, ConfigError } from '../../config/index.ts';

const fileWith = configFileWith;

function assertConfigError(file: string, pattern: RegExp): void {
  assert.throws(() => loadConfig({ env: {}, file }), (error: Error) => {
    assert.ok(error instanceof ConfigError, `${error.constructor.name}: ${error.message}`);
    assert.match(error.message, pattern);
    assert.ok(error.message.includes(file), error.message);
    return true;
  });
}

describe('config: a hostile YAML file', () => {
  it('a syntax error names the file and the line', () => {
    assertConfigError(fileWith('http:\n  port: 9000\n  host: 0t: 9000\n'), /line 3/);
  });

  it('an alias to no anchor', () => {
    assertConfigError(fileWith('http:\n  port: *nowhere\n'), /nowhere/);
  });

  it('an alias bomb (billion laughs) is refused, not expanded', () => {
    const lines = ['l0: &l0 ["lol"]'];
    for (let i = 1; i < 10; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    assertConfigError(fileWith(lines.join('\n') + '\nhttp: *l9\n'), /alias/i);
  });

  it('deep nesting', () => {
    assertConfigError(fileWith('a: ' + '['.repeat(50_000) + ']'.repeat(50_000) + '\n'), /YAML/);
  });

  it('an unknown tag is an error, not a warning on stderr', () => {
    assertConfigError(fileWith('http:\n  port: !!js/function "function(){}"\n'), /line 2/);
  });

  it('a file that cannot be read', () => {
    assertConfigError(`${configFileWith('')}.missing`, /cannot be read/);
  });
});
