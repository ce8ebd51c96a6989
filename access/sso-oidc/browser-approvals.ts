// What a signed-in person decides in the browser for the AWS CLI (docs/aws-cli.md): approving or
// denying a device code (RFC 8628 §3.3) or an authorization request (RFC 6749 §4.1, with PKCE).
// Each decision is audited; an approval records the person's portal session, to which the
// resulting tokens are bound.
import type { AuditStore } from '../../store/stores.ts';
import type { RedirectStep } from '../browser-step.ts';
import { hashSessionId } from '../portal-sessions.ts';
import type { SignedInPerson } from '../sessions/signed-in-person.ts';
import type { AuthorizationCodeService } from './authorization-codes.ts';
import type { Approval, DeviceAuthorizationService, PendingDevice } from './device-authorizations.ts';

export type Decision = 'approve' | 'deny';

/** What a person's approval records: who, from which source, in which portal session. */
export function approvalBy(person: Pick<SignedInPerson, 'sessionId' | 'session' | 'user'>): Approval {
  return { userId: person.user.id, userName: person.session.userName, source: person.session.source, portalSessionHash: hashSessionId(person.sessionId) };
}

/** The loopback redirect with OAuth response parameters appended (RFC 6749 §4.1.2). */
export function clientRedirect(redirectUri: string, params: Record<string, string | null>): RedirectStep {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  // 303: the answer to a form POST is fetched with GET.
  return { kind: 'redirect', url: url.toString(), status: 303 };
}

export class BrowserApprovals {
  constructor(
    private readonly deps: {
      devices: Pick<DeviceAuthorizationService, 'decide'>;
      codes: Pick<AuthorizationCodeService, 'takeConsent' | 'issue'>;
      audit: AuditStore;
    },
  ) {}

  /**
   * The person's decision on the device code they typed; null when no such request is waiting
   * (expired, decided, mistyped). Wrong codes are counted per person and per `address` (RFC 8628
   * §5.1): ThrottledError past the limit.
   */
  async decideDevice(person: SignedInPerson, typed: string, decision: Decision, address: string): Promise<PendingDevice | null> {
    const approval = approvalBy(person);
    const decided = await this.deps.devices.decide(typed, decision, approval, { personId: approval.userId, address });
    if (!decided) return null;
    await this.deps.audit.append({
      actor: approval.userId,
      action: decision === 'approve' ? 'sso-oidc.device.approve' : 'sso-oidc.device.deny',
      target: `sso-oidc-client/${decided.clientId}`,
      detail: { userCode: decided.userCode, clientName: decided.clientName },
    });
    return decided;
  }

  /**
   * The person's answer to the consent form `consentId` (shown in this same portal session): the
   * redirect to the client's loopback listener with a single-use code, or error=access_denied;
   * null when the request is no longer waiting.
   */
  async decideAuthorization(person: SignedInPerson, consentId: string, decision: Decision): Promise<RedirectStep | null> {
    const approval = approvalBy(person);
    const request = await this.deps.codes.takeConsent(consentId, approval.portalSessionHash);
    if (!request) return null;
    await this.deps.audit.append({
      actor: approval.userId,
      action: decision === 'approve' ? 'sso-oidc.authorize.approve' : 'sso-oidc.authorize.deny',
      target: `sso-oidc-client/${request.clientId}`,
      detail: { clientName: request.clientName, redirectUri: request.redirectUri },
    });
    if (decision === 'deny') {
      return clientRedirect(request.redirectUri, { error: 'access_denied', error_description: 'The user denied the request', state: request.state });
    }
    const code = await this.deps.codes.issue(request, approval);
    return clientRedirect(request.redirectUri, { code, state: request.state });
  }
}
