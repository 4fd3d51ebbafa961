// Mutated YAML config documents through the real loader (config/load.ts). The only acceptable
// failure is its ConfigError (a message naming the key, or the line of a YAML syntax error);
// anything else thrown (TypeError, RangeError, the YAML library's own errors), a load slower than
// HANG_MS, a config returned that breaks the schema, or a polluted Object prototype is a crash.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import Value from 'typebox/value';
import type { FuzzContext, FuzzResult, FuzzSurface } from '../surface.ts';
import { Rng } from '../rng.ts';
import { ConfigError, loadConfig } from '../../../config/load.ts';
import { ConfigSchema } from '../../../config/schema.ts';

/** A hang, not a slow parse on a loaded machine: the deepest documents here take about a second. */
const HANG_MS = 5000;

const HOSTILE_SCALARS = ['~', 'null', 'true', 'no', 'off', 'yes', '0', '-1', '0x7fffffff', '0o777', '1e400', '-1e400', '.inf', '-.inf', '.nan',
  '99999999999999999999999', '1.5', "''", '""', '"\\0"', '"\\ud800"', '!!binary aGVsbG8=', '!!timestamp 2001-12-14', '!!str 5', '!!int x', '!!float x',
  '!!js/function "function(){}"', '!custom x', '!!set {a, b}', '!!omap [a: 1]', '[]', '{}', '[1, [2, [3]]]', '{a: {b: {c: 1}}}', '"x"', '*undefined_alias',
  '&anchor 5', '|\n  block', '>\n  folded', '"' + 'x'.repeat(5000) + '"', '2001-12-14t21:59:43.10-05:00', '!!null ""', '!!bool maybe', '__proto__'];

const HOSTILE_DOCUMENTS: Array<(rng: Rng) => string> = [
  () => '',
  () => '# only a comment\n',
  () => '---\nhttp: {port: 1}\n---\nhttp: {port: 2}\n',
  () => '- a\n- b\n',
  () => 'just a string',
  () => '\uFEFFhttp:\n  port: 8080\n',
  () => 'http:\n\tport: 8080\n',
  () => 'http:\n  port: 1\n  port: 2\n',
  (rng) => 'a: ' + '['.repeat(rng.int(100, 20_000)) + ']'.repeat(rng.int(0, 20_000)) + '\n',
  (rng) => 'a: ' + '{b: '.repeat(rng.int(100, 5000)) + '1' + '}'.repeat(rng.int(0, 5000)) + '\n',
  (rng) => Array.from({ length: rng.int(10, 3000) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n',
  (rng) => {
    // Billion laughs: each level refers to the previous one ten times.
    const levels = rng.int(3, 12);
    const lines = ['l0: &l0 ["lol"]'];
    for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    return lines.join('\n') + `\nhttp: *l${levels - 1}\n`;
  },
  () => 'base: &base {port: 8080, host: 127.0.0.1}\nhttp:\n  <<: *base\n',
  () => 'http: &h\n  port: 8080\n  self: *h\n',
  () => '__proto__:\n  polluted: yes\nhttp:\n  __proto__:\n    polluted: yes\n',
  () => 'constructor:\n  prototype:\n    polluted: yes\n',
  () => '? [complex, key]\n: value\n',
  () => 'http: !!binary aGVsbG8=\n',
  () => '%YAML 1.1\n---\nhttp: {port: 0o17}\n',
  () => '%TAG ! tag:evil.example,2000:\n---\nhttp: !x {port: 1}\n',
  (rng) => Buffer.from(rng.bytes(rng.int(1, 400))).toString('latin1'),
  (rng) => `instance:\n  name: "${'\\u0000'.repeat(rng.int(1, 50))}"\n`,
  () => 'transcoding:\n  ladder:\n    - {height: 99999, videoBitrateKbps: -1}\n    - 5\n    - null\n',
];

type Node = unknown;

/** A hostile scalar as YAML reads it (a tagged value may become a Uint8Array, a Date, a Set...), or its text. */
function scalarOf(text: string): Node {
  try {
    return (YAML.parse(`v: ${text}`, { logLevel: 'silent' }) as { v?: Node } | null)?.v ?? null;
  } catch {
    return text;
  }
}

function mutateTree(rng: Rng, node: Node, depth = 0): Node {
  if (rng.chance(0.08)) return scalarOf(rng.pick(HOSTILE_SCALARS));
  if (Array.isArray(node)) return node.map((item) => mutateTree(rng, item, depth + 1));
  if (node && typeof node === 'object') {
    const out: Record<string, Node> = {};
    for (const [key, value] of Object.entries(node)) if (!rng.chance(0.05)) out[rng.chance(0.02) ? key.toUpperCase() : key] = mutateTree(rng, value, depth + 1);
    if (rng.chance(0.05)) out[rng.pick(['unknown', 'port', '__proto__', 'constructor', '', ' '])] = rng.pick([1, 'x', null, [], {}]);
    return out;
  }
  if (typeof node === 'number' && rng.chance(0.1)) return rng.pick([-1, 0, 2 ** 31, 2 ** 53, 1e308, -1e308, 0.5, String(node)]);
  if (typeof node === 'string' && rng.chance(0.1)) return rng.pick(['', ' ', 'x'.repeat(rng.int(1, 100_000)), '\0', '5', 'true']);
  if (typeof node === 'boolean' && rng.chance(0.1)) return rng.pick(['yes', 'true', 1, 0, null]);
  return node;
}

/** One document: a valid config damaged in its structure, its text, or a known-hostile one. */
export function documentOf(rng: Rng, valid: Record<string, unknown>): string {
  switch (rng.int(0, 5)) {
    case 0: return rng.pick(HOSTILE_DOCUMENTS)(rng);
    case 1: return rng.mutate(Buffer.from(YAML.stringify(valid))).toString(rng.chance(0.5) ? 'utf8' : 'latin1');
    case 2: {
      const lines = YAML.stringify(valid).split('\n');
      const at = rng.int(0, lines.length - 1);
      lines[at] = lines[at].replace(/: .*$/, `: ${rng.pick(HOSTILE_SCALARS)}`);
      return lines.join('\n');
    }
    default: return YAML.stringify(mutateTree(rng, structuredClone(valid)));
  }
}

async function run(context: FuzzContext): Promise<FuzzResult> {
  const { rng } = context;
  const folder = mkdtempSync(join(context.target.dataDir, 'fuzz-config-'));
  const file = join(folder, 'config.yaml');
  const valid = Value.Default(ConfigSchema, {}) as Record<string, unknown>;
  const seed = rng.int(0, 2 ** 31);
  let crashes = 0;
  let accepted = 0;
  const seen = new Map<string, number>();
  const crash = (kind: string, index: number, text: string, detail: string) => {
    crashes++;
    const times = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, times);
    if (times <= 3) context.note(`${kind}: input ${index}: ${detail.slice(0, 300)} -- document ${JSON.stringify(text.slice(0, 200))}`);
  };
  try {
    for (let index = 0; index < context.count; index++) {
      const text = documentOf(new Rng(seed + index), valid);
      writeFileSync(file, text);
      const started = Date.now();
      try {
        const config = loadConfig({ env: {}, file });
        if (!Value.Check(ConfigSchema, config)) crash('invalid config accepted', index, text, JSON.stringify([...Value.Errors(ConfigSchema, config)][0]));
        accepted++;
      } catch (error) {
        if (!(error instanceof ConfigError)) crash((error as Error).constructor?.name ?? 'throw', index, text, String((error as Error).message));
        else if (!error.message.trim()) crash('empty config error', index, text, '');
      }
      const elapsed = Date.now() - started;
      if (elapsed > HANG_MS) crash('slow', index, text, `${elapsed} ms`);
      if ((Object.prototype as Record<string, unknown>).polluted !== undefined) {
        crash('prototype pollution', index, text, 'Object.prototype.polluted is set');
        delete (Object.prototype as Record<string, unknown>).polluted;
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  context.note(`${accepted} documents accepted as valid configs`);
  return { tried: context.count, crashes };
}

const surface: FuzzSurface = { name: 'config-yaml', kind: 'parser', run };
export default surface;
