// Builds the effective config: schema defaults, then a YAML file, then environment variables.
// A bad value stops start-up with a message that names the key.
import { readFileSync, existsSync } from 'node:fs';
import YAML from 'yaml';
import Value from 'typebox/value';
import { ConfigSchema, type Config } from './schema.ts';
import { REMOVED_SETTINGS, unknownKeys, unknownKeyWarning } from './unknown-keys.ts';

export class ConfigError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** `rtmp.port` -> `RTMP_PORT`, `live.segmentSeconds` -> `LIVE_SEGMENT_SECONDS`. */
export function envNameFor(path: string[]): string {
  return path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

interface LeafSchema { type?: string; properties?: Record<string, LeafSchema> }

function leafPaths(schema: LeafSchema, prefix: string[] = []): Array<{ path: string[]; type: string }> {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
  }
  return [{ path: prefix, type: schema.type ?? 'string' }];
}

function parseEnvValue(raw: string, type: string, name: string): Json {
  if (type === 'string' || type === undefined) return raw;
  if (type === 'integer' || type === 'number') {
    const number = Number(raw);
    if (raw.trim() === '' || Number.isNaN(number)) throw new ConfigError(`${name}: "${raw}" is not a number`);
    return number;
  }
  if (type === 'boolean') {
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${name}: "${raw}" is not a boolean (true/false)`);
  }
  try {
    return JSON.parse(raw) as Json;
  } catch {
    throw new ConfigError(`${name}: expected JSON for this setting`);
  }
}

function setPath(target: JsonObject, path: string[], value: Json): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1]] = value;
}

/** Strict: a warning (an unknown tag, a mapping used as a key) is an error, not a line on stderr. */
function parseYaml(text: string): unknown {
  const document = YAML.parseDocument(text, { logLevel: 'silent' });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) throw problem;
  return document.toJS({ maxAliasCount: 100 });
}

function readYaml(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    // Syntax errors (with their line), unknown tags, unknown aliases, alias bombs, nesting too deep:
    // the YAML library's own errors, which would otherwise stop start-up with a stack, not a message.
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: the top level must be a mapping`);
  return parsed as JsonObject;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  file?: string;
  overrides?: (raw: JsonObject) => void;
  /** Where the warnings about ignored keys go; by default stderr (the logger needs the config first). */
  warn?: (message: string) => void;
}

/** A file or environment that still sets something no setting reads is not an error: it is named. */
function warnIgnored(raw: JsonObject, env: NodeJS.ProcessEnv, file: string | undefined, warn: (message: string) => void): void {
  const where = `Configuration${file ? ` (file ${file})` : ''}`;
  for (const path of unknownKeys(ConfigSchema as unknown as LeafSchema, raw)) warn(`${where}: ${unknownKeyWarning(path)}`);
  for (const path of Object.keys(REMOVED_SETTINGS)) {
    const name = envNameFor(path.split('.'));
    if (env[name] !== undefined && env[name] !== '') warn(`${name}: ${unknownKeyWarning(path)}`);
  }
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.CONFIG_FILE ?? (existsSync('config.yaml') ? 'config.yaml' : undefined);
  const raw: JsonObject = file ? readYaml(file) : {};
  for (const { path, type } of leafPaths(ConfigSchema as unknown as LeafSchema)) {
    const name = envNameFor(path);
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, parseEnvValue(value, type, name));
  }
  options.overrides?.(raw);
  warnIgnored(raw, env, file, options.warn ?? ((message) => process.stderr.write(`${message}\n`)));
  const config = Value.Default(ConfigSchema, raw) as Config;
  const errors = [...Value.Errors(ConfigSchema, config)];
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const key = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
      return `  ${key}: ${error.message}`;
    });
    throw new ConfigError(`Invalid configuration${file ? ` (file ${file})` : ''}:\n${lines.join('\n')}`);
  }
  return config;
}
