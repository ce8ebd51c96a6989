// Signing in to an AWS account's console from the portal: the assertion says only what the
// person is assigned at this moment (access/aws-federation.ts re-reads the user and their
// entitlements), the federation is audited, and the browser posts it to the account's sign-in
// endpoint (SAML Bindings §3.5).
import { DomainError } from '../../model/errors.ts';
import type { User } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import type { AwsFederationService } from '../aws-federation.ts';
import type { PostStep } from '../browser-step.ts';
import type { PortalPreferences } from '../portal-preferences.ts';
import type { IdentitySourceFor } from '../sessions/signed-in-person.ts';
import { consoleDestination } from './console-destination.ts';

/** The portal session signing in: who, from which source, and the AuthnStatement it carries. */
export interface FederatingSession {
  userId: string;
  source: User['source'];
  authnInstant: string;
  sessionIndex: string;
}

export class AccountSignIn {
  constructor(
    private readonly deps: {
      federation: Pick<AwsFederationService, 'signFor'>;
      identitySourceFor: IdentitySourceFor;
      audit: AuditStore;
      /** Remembers the account as recently used (access/portal-preferences.ts). */
      recentAccounts?: Pick<PortalPreferences, 'used'>;
    },
  ) {}

  /**
   * The signed Response to post for `permissionSet` (or ALL_ROLES) on `accountId`; ForbiddenError
   * when not assigned. `destination` (a console page, console-destination.ts) replaces the
   * permission set's relay state.
   */
  async signIn(session: FederatingSession, accountId: string, permissionSet: string, destination = ''): Promise<PostStep> {
    const landing = consoleDestination(destination);
    let signed: Awaited<ReturnType<AwsFederationService['signFor']>>;
    try {
      signed = await this.deps.federation.signFor(this.deps.identitySourceFor(session.source), session, accountId, permissionSet);
    } catch (e) {
      // A refused federation is audited too (who tried which account and role, and why not).
      if (e instanceof DomainError) {
        await this.deps.audit.append({
          actor: session.userId,
          action: 'federation.account.refused',
          target: `account/${accountId.slice(0, 64)}`,
          outcome: 'refused',
          detail: { permissionSet: permissionSet.slice(0, 128), reason: e.message },
        });
      }
      throw e;
    }
    await this.deps.audit.append({
      actor: session.userId,
      action: 'federation.account',
      target: `account/${signed.account.accountId}`,
      detail: { permissionSets: signed.permissionSets.map((s) => s.name) },
    });
    await this.deps.recentAccounts?.used(session.userId, signed.account.accountId);
    const fields: Record<string, string> = { SAMLResponse: signed.samlResponse };
    const relayState = landing ?? signed.relayState;
    if (relayState) fields.RelayState = relayState;
    return { kind: 'post', action: signed.destination, fields, title: `Signing in to ${signed.account.name}` };
  }
}
