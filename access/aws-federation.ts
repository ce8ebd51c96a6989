// Federation into an AWS account: decides what the SAML assertion says (which role pairs, the
// session name and duration, session tags) from the user's entitlements at this moment, and hands
// exactly that to idp/ to sign (reference §4; security promise 3).
import type { IdentitySource } from '../directory/identity-source.ts';
import { buildAwsSamlResponse } from '../idp/saml/aws-response.ts';
import type { SamlSigningKey } from '../idp/saml/enveloped-signature.ts';
import { roleSessionNameFor } from '../idp/saml/role-session-name.ts';
import { ForbiddenError, UnauthenticatedError } from '../model/errors.ts';
import type { Account, PermissionSet, User } from '../model/types.ts';
import type { InstanceStore } from '../store/stores.ts';
import type { EntitlementService } from './entitlements.ts';
import { parseIsoDurationSeconds } from './iso-duration.ts';
import { roleArnFor, roleNameFor, samlProviderArn } from './role-name.ts';

/** Choose every permission set the user has on the account ("All roles": AWS shows its role chooser). */
export const ALL_ROLES = '*';

export interface SignedFederation {
  /** Where the browser must POST. */
  destination: string;
  samlResponse: string;
  relayState: string | null;
  account: Account;
  permissionSets: PermissionSet[];
}

export interface SamlIdentity {
  entityId: string;
  key: SamlSigningKey;
  /** NameID Format URI for assertions to AWS (the value is the primary email). */
  awsNameIdFormat: string;
}

export function nameIdOf(user: User): string {
  return (user.emails.find((e) => e.primary) ?? user.emails[0])?.value ?? user.userName;
}

export class AwsFederationService {
  constructor(
    private readonly entitlements: EntitlementService,
    private readonly instance: InstanceStore,
    private readonly identity: () => SamlIdentity,
  ) {}

  /**
   * Re-reads the user from the directory, so a user disabled or removed since sign-in gets
   * nothing, and checks the pair against the entitlements of this moment.
   */
  async signFor(
    source: IdentitySource,
    session: { userId: string; authnInstant: string; sessionIndex: string },
    accountId: string,
    permissionSetName: string,
  ): Promise<SignedFederation> {
    const user = await source.getUser(session.userId);
    if (!user || !user.enabled) throw new UnauthenticatedError('Your account is no longer active; sign in again');
    const access = (await this.entitlements.forUser(user, await source.groupsOf(user))).find((a) => a.account.accountId === accountId);
    const chosen = permissionSetName === ALL_ROLES ? (access?.permissionSets ?? []) : (access?.permissionSets.filter((s) => s.name === permissionSetName) ?? []);
    if (!access || chosen.length === 0) throw new ForbiddenError('You are not assigned that role on that account');

    const { account } = access;
    const instance = await this.instance.getOrCreate();
    const providerArn = samlProviderArn(account.accountId, account.samlProviderName);
    const durations = chosen.map((s) => parseIsoDurationSeconds(s.sessionDuration) ?? 3600);
    const { entityId, key, awsNameIdFormat } = this.identity();
    const signed = buildAwsSamlResponse(
      {
        issuer: entityId,
        destination: account.signInEndpoint,
        nameId: nameIdOf(user),
        nameIdFormat: awsNameIdFormat,
        roles: chosen.map((s) => ({ roleArn: roleArnFor(account.accountId, roleNameFor(s.name, s.id, account.accountId)), providerArn })),
        roleSessionName: roleSessionNameFor(user.userName),
        // With several roles one console duration must serve them all: the shortest is the safe one.
        sessionDurationSeconds: Math.min(...durations),
        principalTags: principalTagsOf(user, instance.accessControlAttributes),
        authnInstant: new Date(session.authnInstant),
        sessionIndex: session.sessionIndex,
        now: new Date(),
      },
      key,
    );
    return {
      destination: account.signInEndpoint,
      samlResponse: signed.samlResponse,
      relayState: chosen.length === 1 ? (chosen[0]?.relayState ?? null) : null,
      account,
      permissionSets: chosen,
    };
  }
}

/** User attribute → PrincipalTag key, as the administrator mapped them; empty values are left out. */
export function principalTagsOf(user: User, mapping: Record<string, string>): Record<string, string> {
  const builtins: Record<string, string | undefined> = {
    userName: user.userName,
    displayName: user.displayName,
    email: nameIdOf(user),
    givenName: user.name.givenName,
    familyName: user.name.familyName,
  };
  const tags: Record<string, string> = {};
  for (const [attribute, tagKey] of Object.entries(mapping)) {
    const value = user.attributes[attribute] ?? builtins[attribute];
    if (value) tags[tagKey] = value;
  }
  return tags;
}
