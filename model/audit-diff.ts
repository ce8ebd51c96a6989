// The before and after of an edit, for its audit event: only the fields that changed, dates as ISO
// strings, and a value too large to keep in the log (an inline policy, a metadata document) as its
// size. Callers leave secrets out of `fields`.

const MAX_VALUE_CHARS = 4096;

function recorded(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (json !== undefined && json.length > MAX_VALUE_CHARS) return `(${json.length} characters)`;
  return value;
}

/** `{ before, after }` over `fields` that differ between the two records (every own field of `after` when none are named). */
export function beforeAfter<T extends object>(before: T, after: T, fields?: readonly string[]): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const field of fields ?? Object.keys(a)) {
    if (field === 'updatedAt' || field === 'version') continue;
    if (JSON.stringify(b[field]) === JSON.stringify(a[field])) continue;
    out.before[field] = recorded(b[field]);
    out.after[field] = recorded(a[field]);
  }
  return out;
}
