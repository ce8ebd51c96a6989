// What else goes when an administrator deletes something, said on the confirmation page before
// anything happens (the deletes themselves cascade in their services' transactions).
import type { GroupService } from '../../directory/groups.ts';
import type { PrincipalType } from '../../model/types.ts';
import type { Page } from '../../store/stores.ts';
import type { ApplicationService } from '../applications/application-service.ts';
import type { AssignmentService } from '../assignments.ts';

/** Counting stops here; the page then says "at least". */
const COUNT_LIMIT = 1000;

export interface Consequence {
  /** e.g. "account assignment" */
  what: string;
  count: number;
  /** True when there are at least `count`. */
  atLeast: boolean;
}

export class ConsoleCascades {
  constructor(private readonly deps: { assignments: AssignmentService; groups: GroupService; applications: ApplicationService }) {}

  async ofAccount(accountId: string): Promise<Consequence[]> {
    return [await this.assignments({ accountId })];
  }

  async ofPermissionSet(permissionSetId: string): Promise<Consequence[]> {
    return [await this.assignments({ permissionSetId })];
  }

  async ofPrincipal(type: PrincipalType, id: string): Promise<Consequence[]> {
    const out = [await this.assignments({ principalType: type, principalId: id })];
    if (type === 'GROUP') out.push(await count('group membership', (nextToken) => this.deps.groups.listMembers(id, { limit: COUNT_LIMIT, nextToken })));
    return out;
  }

  async ofApplication(applicationId: string): Promise<Consequence[]> {
    return [await count('application assignment', (nextToken) => this.deps.applications.listAssignments(applicationId, { limit: COUNT_LIMIT, nextToken }))];
  }

  private assignments(filter: Record<string, string>): Promise<Consequence> {
    return count('account assignment', (nextToken) => this.deps.assignments.list(filter, { limit: COUNT_LIMIT, nextToken }));
  }
}

async function count(what: string, page: (nextToken?: string) => Promise<Page<unknown>>): Promise<Consequence> {
  const first = await page();
  return { what, count: first.items.length, atLeast: first.nextToken !== undefined };
}
