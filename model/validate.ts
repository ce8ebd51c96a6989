// Turns a zod failure into the domain's ValidationError, naming every invalid field, so each
// surface reports bad input the same way and nothing downstream sees unchecked data.
import type { z } from 'zod';
import { ValidationError } from './errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  throw new ValidationError(`Invalid ${what}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
}
