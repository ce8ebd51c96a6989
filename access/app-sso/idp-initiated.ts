// IdP-initiated sign-in from the portal's Applications tab (SAML Profiles §4.1.5, unsolicited
// Response): the assignment is re-checked at that moment (ApplicationService.forUser, the same
// list the tab shows), and a Response goes to the app's default ACS from its metadata, with the
// app's default RelayState.
import { defaultAcs } from '../../idp/saml/inbound/acs.ts';
import { ForbiddenError } from '../../model/errors.ts';
import type { ApplicationStore, AuditStore } from '../../store/stores.ts';
import type { BrowserStep } from '../browser-step.ts';
import { oidcLaunchUrl } from '../../model/oidc.ts';
import type { SignedInPerson } from '../sessions/signed-in-person.ts';
import type { AppSsoService } from './decisions.ts';
import type { ResponseDelivery } from './responses.ts';

export interface IdpInitiatedSignInDeps {
  applications: Pick<ApplicationStore, 'get' | 'applicationsFor'>;
  decisions: Pick<AppSsoService, 'decide'>;
  responses: Pick<ResponseDelivery, 'assertion' | 'status'>;
  audit: AuditStore;
}

export class IdpInitiatedSignIn {
  constructor(private readonly deps: IdpInitiatedSignInDeps) {}

  /** The Response to post to application `applicationId` for `person`; ForbiddenError when refused. */
  async launch(person: SignedInPerson, applicationId: string): Promise<BrowserStep> {
    const app = /^[\w-]{1,64}$/.test(applicationId) ? await this.deps.applications.get(applicationId) : null;
    if (!app) throw new ForbiddenError('You are not assigned to that application.');
    const { user } = person;
    // An OpenID Connect app signs people in itself, from its own address (OpenID Connect Core §4,
    // initiate_login_uri): the portal only opens it, for those assigned to it.
    if (app.kind === 'oidc' && app.oidc) {
      const rows = await this.deps.applications.applicationsFor(user.id, (await person.groups()).map((g) => g.id));
      const url = oidcLaunchUrl(app.oidc);
      if (!rows.some((r) => r.applicationId === app.id) || !url) throw new ForbiddenError('You are not assigned to that application.');
      return { kind: 'redirect', url };
    }
    const decision = await this.deps.decisions.decide(app, user, await person.groups());
    if (!decision.ok) {
      await this.deps.audit.append({ actor: user.id, action: 'federation.application.refused', target: `application/${app.id}`, detail: { reason: decision.refusal.code, initiatedBy: 'idp' } });
      throw new ForbiddenError(decision.refusal.message);
    }
    const acs = defaultAcs(app.acs);
    return this.deps.responses.assertion(person, app, user, decision.grant, { acsUrl: acs.url, relayState: app.defaultRelayState });
  }
}
