// The query parameters of an LL-HLS playlist request (§6.2.5): _HLS_msn, _HLS_part, _HLS_skip.

export interface DeliveryDirectives {
  /** Block until this segment (or, with `part`, this part of it) exists. */
  msn?: number;
  part?: number;
  /** A delta update was asked for (`YES`, or `v2` which also drops date ranges: we have none). */
  skip: boolean;
}

export type DirectivesResult = { ok: true; directives: DeliveryDirectives } | { ok: false; error: string };

/** Parses the query; an invalid directive is a 400 per the spec, with this error as its text. */
export function parseDeliveryDirectives(query: Readonly<Record<string, unknown>>): DirectivesResult {
  const msn = readCount(query._HLS_msn, '_HLS_msn');
  if (typeof msn === 'string') return { ok: false, error: msn };
  const part = readCount(query._HLS_part, '_HLS_part');
  if (typeof part === 'string') return { ok: false, error: part };
  if (part !== undefined && msn === undefined) return { ok: false, error: '_HLS_part requires _HLS_msn' };
  const skip = query._HLS_skip;
  if (skip !== undefined && skip !== 'YES' && skip !== 'v2') return { ok: false, error: '_HLS_skip must be YES or v2' };
  return { ok: true, directives: { msn, part, skip: skip !== undefined } };
}

/** A decimal-integer, or an error message. */
function readCount(value: unknown, name: string): number | undefined | string {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9]{1,15}$/.test(value)) return `${name} must be a non-negative integer`;
  return Number(value);
}
