// Permission sets as the console edits them: the same service as the admin API, with the inline
// policy held to the IAM policy grammar first (console-policy.ts), so a malformed policy is refused
// with its problems at the policy field and nothing is stored.
import { ValidationError } from '../../model/errors.ts';
import type { PermissionSet } from '../../model/types.ts';
import type { PermissionSetService } from '../permission-sets.ts';
import { checkPolicy } from './console-policy.ts';

export class ConsolePermissionSets {
  constructor(private readonly sets: PermissionSetService) {}

  create(input: Record<string, unknown>, actor: string): Promise<PermissionSet> {
    assertPolicyGrammar(input.inlinePolicy);
    return this.sets.create(input, actor);
  }

  update(id: string, input: Record<string, unknown>, actor: string): Promise<PermissionSet> {
    assertPolicyGrammar(input.inlinePolicy);
    return this.sets.update(id, input, actor);
  }
}

function assertPolicyGrammar(policy: unknown): void {
  if (typeof policy !== 'string') return;
  const check = checkPolicy(policy);
  if (!check.ok) {
    const message = check.problems.join(' ');
    throw new ValidationError(`Invalid permission set: inlinePolicy: ${message}`, [{ field: 'inlinePolicy', message }]);
  }
}
