// Pagination and name filtering shared by every list endpoint: ?limit=&nextToken=&name=
import { z } from 'zod';
import { parseInput } from '../../model/validate.ts';
import type { ListQuery } from '../../store/stores.ts';

const schema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  nextToken: z.string().max(512).optional(),
  name: z.string().max(256).optional(),
});

export function listQuery(query: unknown): ListQuery {
  const q = parseInput(schema, query, 'query');
  return { limit: q.limit ?? 100, nextToken: q.nextToken, nameContains: q.name };
}

export const cascadeParam = (query: Record<string, unknown>) => query.cascade === 'true' || query.cascade === '1';
