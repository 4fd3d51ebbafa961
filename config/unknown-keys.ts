// Keys that no setting reads. An old config file keeps working (they are ignored, start-up goes on)
// but says so, naming each key: a typo, or a setting that was removed, does not go unnoticed.

/** Settings that existed once, with what an operator who still sets one should know. */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  'chat.enabled': 'nothing ever read it: the chat is always on',
};

interface NodeSchema { type?: string; properties?: Record<string, NodeSchema> }

/** Dotted paths of the keys of `raw` the schema has no setting for (array items are the schema's to check). */
export function unknownKeys(schema: NodeSchema, raw: unknown, prefix = ''): string[] {
  if (schema.type !== 'object' || !schema.properties) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const known = schema.properties;
  return Object.entries(raw).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return Object.hasOwn(known, key) ? unknownKeys(known[key], value, path) : [path];
  });
}

export function unknownKeyWarning(path: string): string {
  const removed = REMOVED_SETTINGS[path];
  return removed ? `${path} was removed (${removed}); ignored` : `${path} is not a setting; ignored`;
}
