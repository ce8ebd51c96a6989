// How a sign-in was authenticated, in SAML (SAML Core §2.7.2.2, §3.3.2.2.1), with
// @node-saml/node-saml as the SP: on an instance where sign-in asks for a second factor, an
// SP-initiated sign-in stops at it before any Response; the Response then states REFEDS MFA; an SP
// asking for MFA through RequestedAuthnContext gets it, or, from a password-only session, a
// NoAuthnContext status Response with no assertion; an SP asking exactly for
// PasswordProtectedTransport (node-saml's default) still gets an assertion stated as such. AWS
// console federation states the class too.
import { expect } from 'chai';
import { MFA_OFF } from '../../model/mfa.ts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.ts';
import { MFA_ON, signInRegisteringApp, type AuthenticatorApp } from '../support/mfa.ts';
import { hiddenFields, PortalClient, type PageResponse } from '../support/portal-client.ts';
import { seedOrganization, type SeededOrg } from '../support/seed.ts';
import { assign, autoPost, createApplication, follow, nodeSamlFor, startRedirectSignIn, submitSignIn } from './fixtures.ts';

const REFEDS_MFA = 'https://refeds.org/profile/mfa';
const PPT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

/** The AuthnContextClassRef and the status codes of a base64 SAMLResponse. */
function readResponse(samlResponse: string): { classRef: string | null; statusCodes: string[] } {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  return {
    classRef: /<saml:AuthnContextClassRef>([^<]+)<\/saml:AuthnContextClassRef>/.exec(xml)?.[1] ?? null,
    statusCodes: [...xml.matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]!),
  };
}

describe('SAML authentication context and MFA (node-saml as the SP)', function () {
  this.timeout(60_000);
  let gh: TestGatehouse;
  let org: SeededOrg;
  let app: AuthenticatorApp;

  before(async () => {
    gh = await startGatehouse({ mfa: MFA_ON });
    org = await seedOrganization(gh.services, {
      users: [{ userName: 'alice', email: 'alice@example.com' }, { userName: 'bob', email: 'bob@example.com' }],
      accounts: [{ accountId: '111122223333', name: 'Production' }],
      permissionSets: [{ name: 'ReadOnly' }],
      assignments: [{ accountId: '111122223333', set: 'ReadOnly', user: 'alice' }],
    });
    ({ app } = await signInRegisteringApp(new PortalClient(gh.baseUrl), 'alice', org.users.alice!.password, gh.clock));
  });
  after(async () => gh?.close());

  /** The SP's request, the sign-in page, the password, then the second step with a fresh code. */
  async function signInWithMfa(client: PortalClient, start: () => Promise<PageResponse>): Promise<PageResponse> {
    const step = await submitSignIn(client, await follow(client, await start()), 'alice', org.users.alice!.password);
    // The sign-in stops at the second factor: no Response yet.
    expect(step.text).to.include('Verify your identity');
    expect(autoPost(step)).to.equal(null);
    gh.clock.advanceSeconds(30);
    return follow(client, await client.request('POST', '/start/mfa', { csrf: hiddenFields(step.text).csrf!, code: app.code() }));
  }

  it('stops an SP-initiated sign-in at the second factor, then states REFEDS MFA in a Response node-saml accepts', async () => {
    const sp = await createApplication(gh.services);
    await assign(gh.services, sp, { user: org.users.alice!.id });
    const saml = await nodeSamlFor(gh.baseUrl, sp, { disableRequestedAuthnContext: true });
    const client = new PortalClient(gh.baseUrl);
    const post = autoPost(await signInWithMfa(client, () => startRedirectSignIn(client, saml)));
    expect(post).to.not.equal(null);
    expect((await saml.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
    expect(readResponse(post!.fields.SAMLResponse!).classRef).to.equal(REFEDS_MFA);
    // Federation into an AWS account from the same session states it too.
    const { fields } = await client.federate('111122223333', 'ReadOnly');
    expect(readResponse(fields.SAMLResponse!).classRef).to.equal(REFEDS_MFA);
  });

  it('gives an SP requiring MFA (RequestedAuthnContext) its assertion, and an SP asking exactly for PasswordProtectedTransport its own class', async () => {
    const strict = await createApplication(gh.services);
    const plain = await createApplication(gh.services);
    for (const a of [strict, plain]) await assign(gh.services, a, { user: org.users.alice!.id });
    const wantsMfa = await nodeSamlFor(gh.baseUrl, strict, { authnContext: [REFEDS_MFA], racComparison: 'exact' });
    const defaults = await nodeSamlFor(gh.baseUrl, plain);
    const client = new PortalClient(gh.baseUrl);
    const first = autoPost(await signInWithMfa(client, () => startRedirectSignIn(client, wantsMfa)));
    expect((await wantsMfa.validatePostResponseAsync({ SAMLResponse: first!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
    expect(readResponse(first!.fields.SAMLResponse!).classRef).to.equal(REFEDS_MFA);

    const second = autoPost(await follow(client, await startRedirectSignIn(client, defaults)));
    expect((await defaults.validatePostResponseAsync({ SAMLResponse: second!.fields.SAMLResponse! })).profile?.nameID).to.equal('alice@example.com');
    expect(readResponse(second!.fields.SAMLResponse!).classRef).to.equal(PPT);
  });

  it('answers an SP requiring MFA with NoAuthnContext and no assertion when the session has a password only', async () => {
    const token = await gh.adminToken();
    expect((await gh.api('PATCH', '/instance', { mfa: MFA_OFF }, token)).status).to.equal(200);
    try {
      const strict = await createApplication(gh.services);
      await assign(gh.services, strict, { user: org.users.bob!.id });
      const minimumMfa = await nodeSamlFor(gh.baseUrl, strict, { authnContext: [REFEDS_MFA], racComparison: 'minimum' });
      const client = new PortalClient(gh.baseUrl);
      const page = await submitSignIn(client, await follow(client, await startRedirectSignIn(client, minimumMfa)), 'bob', org.users.bob!.password);
      const post = autoPost(page);
      expect(post, page.text.slice(0, 300)).to.not.equal(null);
      const { classRef, statusCodes } = readResponse(post!.fields.SAMLResponse!);
      expect(statusCodes).to.deep.equal(['urn:oasis:names:tc:SAML:2.0:status:Responder', 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext']);
      expect(classRef).to.equal(null);
      let refused: unknown;
      try {
        await minimumMfa.validatePostResponseAsync({ SAMLResponse: post!.fields.SAMLResponse! });
      } catch (e) {
        refused = e;
      }
      expect(String(refused)).to.match(/NoAuthnContext|Responder/);
      const events = await gh.api('GET', '/audit?action=federation.application.refused', undefined, token);
      expect(events.body.items[0].detail.reason).to.equal('authn-context');
    } finally {
      await gh.api('PATCH', '/instance', { mfa: MFA_ON }, token);
    }
  });
});
