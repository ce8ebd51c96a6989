// SQL fragments shared by the list queries: the case-insensitive name filter and the keyset
// condition "after the last item of the previous page".

import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { containsPattern } from './codec.ts';

/** `column` (a lower-cased name key) contains `term`, case-insensitively, wildcards taken literally. */
export function keyContains(column: string, term: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${containsPattern(term)} escape '\\'`;
}

/** Row-value comparison `(a, b, ...) > (?, ?, ...)` (or `<` for descending lists). */
export function keyBeyond(columns: string[], values: unknown[], direction: '>' | '<'): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(columns.map((c) => sql.ref(c)))}) ${sql.raw(direction)} (${sql.join(values)})`;
}
