// The text of config.example.yaml, made from the schema alone: every section and setting with its
// description, its environment variable (named as load.ts reads it), its bounds and its default as
// the value. scripts/config-example.ts writes it; test/unit/config-example.test.ts fails when the
// committed file differs, so a description changed in the schema cannot leave the example behind.
import YAML from 'yaml';
import { ConfigSchema } from './schema.ts';
import { envNameFor } from './load.ts';

interface NodeSchema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, NodeSchema>;
  items?: NodeSchema;
  anyOf?: Array<{ const?: unknown }>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
}

const HEADER = [
  'Livecast configuration: every setting, with its default value.',
  'Generated from config/schema.ts by `npm run config:example`; edit the schema, not this file.',
  'Copy it to config.yaml (or name the file in CONFIG_FILE) and keep only the settings you change:',
  'the defaults apply to the rest. An environment variable (named above each setting) wins over',
  'the file; a list is given there as JSON.',
];
const WIDTH = 100;

/** What values a setting takes: its type and the schema's bounds or choices. */
function kindOf(schema: NodeSchema): string {
  if (schema.anyOf) return `one of: ${schema.anyOf.map((choice) => String(choice.const)).join(' | ')}`;
  const type = schema.type === 'array' ? 'list (JSON in the environment)' : schema.type ?? 'string';
  const { minimum: min, maximum: max } = schema;
  const range = min !== undefined && max !== undefined ? `${min} to ${max}`
    : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : '';
  const length = schema.minLength ? `at least ${schema.minLength} character${schema.minLength > 1 ? 's' : ''}` : '';
  return [type, range, length].filter(Boolean).join(', ');
}

/** Words of `text` in comment lines that fit WIDTH at this indentation. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent + 2 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function describeRungs(items: NodeSchema): string[] {
  return Object.entries(items.properties ?? {}).map(([key, field]) => {
    const fallback = field.default === undefined ? '' : `, default ${String(field.default)}`;
    return `  - ${key}: ${field.description ?? ''} (${kindOf(field)}${fallback})`;
  });
}

function settingComment(schema: NodeSchema, path: string[], indent: number): string {
  const lines = [...wrap(schema.description ?? '', indent), `env ${envNameFor(path)} · ${kindOf(schema)}`];
  if (schema.type === 'array' && schema.items) lines.push(`items: ${schema.items.description ?? ''}`, ...describeRungs(schema.items));
  return lines.map((line) => ` ${line}`).join('\n');
}

/** A YAML map of the section's settings, in the schema's order, each key carrying its comment. */
function sectionNode(doc: YAML.Document, schema: NodeSchema, path: string[]): YAML.YAMLMap {
  const map = new YAML.YAMLMap();
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const at = [...path, key];
    const keyNode = doc.createNode(key) as YAML.Scalar;
    if (child.type === 'object' && child.properties) {
      keyNode.commentBefore = wrap(child.description ?? '', path.length * 2).map((line) => ` ${line}`).join('\n');
      keyNode.spaceBefore = map.items.length > 0;
      map.items.push(doc.createPair(keyNode, sectionNode(doc, child, at)));
      continue;
    }
    keyNode.commentBefore = settingComment(child, at, path.length * 2);
    const value = doc.createNode(child.default);
    if (YAML.isSeq(value)) for (const item of value.items) if (YAML.isMap(item)) item.flow = true;
    map.items.push(doc.createPair(keyNode, value));
  }
  return map;
}

export function renderConfigExample(): string {
  const doc = new YAML.Document();
  doc.contents = sectionNode(doc, ConfigSchema as unknown as NodeSchema, []);
  doc.commentBefore = HEADER.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
