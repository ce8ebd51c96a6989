// Federation into an AWS account: decides what the SAML assertion says (which role pairs, the
// session name and duration, session tags) from the user's entitlements at this moment, and hands
// exactly that to idp/ to sign (docs/aws-accounts.md; docs/security.md: "Only what is assigned, at that moment").
import { authnContextFor } from '../idp/saml/authn-context.ts';
import type { IdentitySource } from '../directory/identity-source.ts';
import { buildAwsSamlResponse } from '../idp/saml/aws-response.ts';
import type { SamlSigningKey } from '../idp/saml/enveloped-signature.ts';
import { roleSessionNameFor } from '../idp/saml/role-session-name.ts';
import { ForbiddenError, UnauthenticatedError } from '../model/errors.ts';
import type { Account, PermissionSet, User } from '../model/types.ts';
import type { InstanceStore } from '../store/stores.ts';
import type { EntitlementService } from './entitlements.ts';
import { parseIsoDurationSeconds } from './iso-duration.ts';
import { federatedRoleFor } from './role-name.ts';
import { activeUser } from './sessions/signed-in-person.ts';

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
    /** Hears of each session tag left out of an assertion (server/services.ts logs it). */
    private readonly reportLeftOutTag: LeftOutSessionTagReport = () => {},
  ) {}

  /**
   * Re-reads the user from the directory, so a user disabled or removed since sign-in gets
   * nothing, and checks the pair against the entitlements of this moment.
   */
  async signFor(
    source: IdentitySource,
    session: { userId: string; authnInstant: string; sessionIndex: string; amr?: readonly string[] },
    accountId: string,
    permissionSetName: string,
  ): Promise<SignedFederation> {
    const user = await activeUser(source, session.userId);
    if (!user) throw new UnauthenticatedError('Your account is no longer active; sign in again');
    const access = (await this.entitlements.forUser(user, await source.groupsOf(user))).find((a) => a.account.accountId === accountId);
    const chosen = permissionSetName === ALL_ROLES ? (access?.permissionSets ?? []) : (access?.permissionSets.filter((s) => s.name === permissionSetName) ?? []);
    if (!access || chosen.length === 0) throw new ForbiddenError('You are not assigned that role on that account');

    const { account } = access;
    const instance = await this.instance.getOrCreate();
    const durations = chosen.map((s) => parseIsoDurationSeconds(s.sessionDuration) ?? 3600);
    const { entityId, key, awsNameIdFormat } = this.identity();
    const signed = buildAwsSamlResponse(
      {
        issuer: entityId,
        destination: account.signInEndpoint,
        nameId: nameIdOf(user),
        nameIdFormat: awsNameIdFormat,
        roles: chosen.map((s) => federatedRoleFor(account, s)).map(({ roleArn, providerArn }) => ({ roleArn, providerArn })),
        roleSessionName: roleSessionNameFor(user.userName),
        // With several roles one console duration must serve them all: the shortest is the safe one.
        sessionDurationSeconds: Math.min(...durations),
        principalTags: principalTagsOf(user, instance.accessControlAttributes, this.reportLeftOutTag),
        authnInstant: new Date(session.authnInstant),
        // SAML Core §2.7.2.2: how the person signed in (REFEDS MFA with a second factor).
        authnContextClassRef: authnContextFor(session.amr) ?? undefined,
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

// STS refuses the whole AssumeRoleWithSAML call, and so the sign-in, when one session tag key is
// longer than 128 characters or a value longer than 256 (AWS STS, "Passing session tags in
// AWS STS": tag limits). Such a tag is left out instead, so one long directory value does not
// lock its owner out of every account; the loss is reported. Lengths are counted in UTF-16 code
// units, as idp/saml/aws-response.ts checks them (never more than the characters AWS counts).
export const MAX_SESSION_TAG_KEY_LENGTH = 128;
export const MAX_SESSION_TAG_VALUE_LENGTH = 256;

/** A mapped attribute that was not sent as a session tag, and why (its value is not repeated). */
export interface LeftOutSessionTag {
  userId: string;
  attribute: string;
  tagKey: string;
  reason: string;
}

export type LeftOutSessionTagReport = (tag: LeftOutSessionTag) => void;

/**
 * User attribute → PrincipalTag key, as the administrator mapped them; empty values are left out,
 * and so is a tag STS would refuse for its length, which `report` hears about.
 */
export function principalTagsOf(user: User, mapping: Record<string, string>, report: LeftOutSessionTagReport = () => {}): Record<string, string> {
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
    if (!value) continue;
    if (tagKey.length > MAX_SESSION_TAG_KEY_LENGTH) {
      report({ userId: user.id, attribute, tagKey, reason: `the tag key is longer than ${MAX_SESSION_TAG_KEY_LENGTH} characters` });
    } else if (value.length > MAX_SESSION_TAG_VALUE_LENGTH) {
      report({ userId: user.id, attribute, tagKey, reason: `the value (${value.length} characters) is longer than the ${MAX_SESSION_TAG_VALUE_LENGTH} AWS allows` });
    } else {
      tags[tagKey] = value;
    }
  }
  return tags;
}
