// The console's assertion preview: what a user would receive from an application right now,
// decided by the same code as a real sign-in (access/app-sso.ts), or why they would be refused.
// Nothing is signed, sent or recorded. The admin API's preview (GET /applications/{id}/preview)
// adds the unsigned Assertion document itself.
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { UserService } from '../../directory/users.ts';
import type { User } from '../../model/types.ts';
import type { ApplicationService } from '../applications/application-service.ts';
import type { AppSsoService } from '../app-sso/decisions.ts';

export type AssertionPreview =
  | { user: User; wouldSignIn: false; refusal: { code: string; message: string } }
  | {
      user: User;
      wouldSignIn: true;
      nameId: { value: string; format: string };
      attributes: { name: string; values: string[] }[];
      roleArns: string[];
      warnings: string[];
    };

export class ConsolePreview {
  constructor(
    private readonly deps: {
      applications: ApplicationService;
      users: UserService;
      identitySourceFor: (source: User['source']) => IdentitySource;
      decisions: AppSsoService;
    },
  ) {}

  async preview(applicationId: string, userId: string): Promise<AssertionPreview> {
    const app = await this.deps.applications.get(applicationId);
    const user = await this.deps.users.get(userId);
    const groups = await this.deps.identitySourceFor(user.source).groupsOf(user);
    const decision = await this.deps.decisions.decide(app, user, groups);
    if (!decision.ok) return { user, wouldSignIn: false, refusal: decision.refusal };
    const { grant } = decision;
    return {
      user,
      wouldSignIn: true,
      nameId: { value: grant.nameId.value, format: grant.nameId.format },
      attributes: grant.attributes.map((a) => ({ name: a.name, values: a.values })),
      roleArns: grant.roleArns,
      warnings: grant.warnings,
    };
  }
}
