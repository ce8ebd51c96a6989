// The "continue" decision of SP-initiated sign-in (access/app-sso/sp-initiated.ts), without HTTP:
// which answer a pending AuthnRequest gets for who is signed in (or not), ForceAuthn and IsPassive,
// a refusal, a NameIDPolicy that cannot be met, and a request answered twice. The pending
// requests are real (access/app-sso/requests.ts on an embedded ephemeral store); the decision,
// the Response building and the application store are stand-ins. The full flow with a real SP is
// test/saml/sso.test.ts.
import { systemClock } from '../../model/clock.ts';
import { expect } from 'chai';
import type { AppSsoDecision } from '../../access/app-sso/decisions.ts';
import { AppSsoRequests, type PendingAuthnRequest } from '../../access/app-sso/requests.ts';
import { SpInitiatedSignIn, type ContinueOutcome } from '../../access/app-sso/sp-initiated.ts';
import type { SignedInPerson } from '../../access/sessions/signed-in-person.ts';
import { STATUS_INVALID_NAMEID_POLICY, STATUS_NO_PASSIVE } from '../../idp/saml/response.ts';
import { ForbiddenError, ValidationError } from '../../model/errors.ts';
import type { Application, AuditEvent } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import { tempEphemeralStore, user } from './people.ts';

const APP = { id: 'app-1', entityId: 'https://sp.example/metadata', name: 'Example SP' } as Application;
const ACS = 'https://sp.example/acs';
const GRANT = { nameId: { value: 'alice@example.com', format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' }, attributes: [], roleArns: [], warnings: [] };

describe('SP-initiated sign-in: answering a pending request (access/app-sso/sp-initiated.ts)', () => {
  let ephemeral: ReturnType<typeof tempEphemeralStore>;
  let requests: AppSsoRequests;
  let decision: AppSsoDecision;
  let audited: Omit<AuditEvent, 'id' | 'at'>[];
  let signIn: SpInitiatedSignIn;

  beforeEach(() => {
    ephemeral = tempEphemeralStore();
    requests = new AppSsoRequests(ephemeral.store, 180);
    decision = { ok: true, grant: GRANT };
    audited = [];
    const audit = { append: async (e: Omit<AuditEvent, 'id' | 'at'>) => void audited.push(e) } as unknown as AuditStore;
    signIn = new SpInitiatedSignIn({
      applications: { get: async (id) => (id === APP.id ? APP : null), getByEntityId: async () => null },
      requests,
      decisions: { decide: async () => decision },
      responses: {
        assertion: async (ctx, app, u, grant, delivery) => ({ kind: 'post', action: delivery.acsUrl, fields: { assertionFor: u.id, inResponseTo: delivery.inResponseTo ?? '' }, title: app.name }),
        status: (app, delivery) => ({ kind: 'post', action: delivery.acsUrl, fields: { status: delivery.subStatus ?? delivery.status }, title: app.name }),
      },
      audit,
      ssoUrl: 'https://gatehouse.test/saml/sso',
      clockSkewSeconds: 180,
      clock: systemClock,
    });
  });
  afterEach(() => ephemeral.close());

  const pending = (o: Partial<PendingAuthnRequest> = {}) =>
    requests.keep({ applicationId: APP.id, entityId: APP.entityId, requestId: '_req-1', acsUrl: ACS, forceAuthn: false, isPassive: false, receivedAt: Date.now(), ...o });

  const person = (authnInstant = new Date().toISOString()): SignedInPerson => ({
    sessionId: 'session-1',
    session: { userId: 'alice', userName: 'alice', source: 'builtin', authnInstant, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), sessionIndex: '_s1', csrfToken: 'c', apps: [] },
    user: user('alice'),
    groups: async () => [],
  });
  const nobody = async () => null;

  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e;
    }
    throw new Error('expected a rejection');
  };

  it('refuses a key it does not hold, or one brought by another browser, without asking who is signed in', async () => {
    const { key } = await pending();
    let asked = false;
    const who = async () => ((asked = true), person());
    expect(await rejection(signIn.continue('unknown-key-unknown-key-unknown-k', undefined, who))).to.be.instanceOf(ValidationError);
    expect(await rejection(signIn.continue(key, 'another-browser-secret-another-browser', who))).to.be.instanceOf(ValidationError);
    expect(asked).to.equal(false);
  });

  it('asks for a sign-in when nobody is signed in, and keeps the request for afterwards', async () => {
    const { key, browserSecret } = await pending();
    expect(await signIn.continue(key, browserSecret, nobody)).to.deep.equal({ kind: 'sign-in', returnTo: `/saml/sso/continue?k=${key}` });
    const answered: ContinueOutcome = await signIn.continue(key, browserSecret, async () => person());
    expect(answered).to.deep.include({ kind: 'post', action: ACS });
    expect(answered.kind === 'post' && answered.fields).to.deep.equal({ assertionFor: 'alice', inResponseTo: '_req-1' });
  });

  it('answers IsPassive without a sign-in with NoPassive, once', async () => {
    const { key, browserSecret } = await pending({ isPassive: true });
    const answer = await signIn.continue(key, browserSecret, nobody);
    expect(answer).to.deep.include({ kind: 'post', action: ACS });
    expect(answer.kind === 'post' && answer.fields.status).to.equal(STATUS_NO_PASSIVE);
    expect(await rejection(signIn.continue(key, browserSecret, async () => person()))).to.be.instanceOf(ValidationError);
  });

  it('with ForceAuthn, counts only a sign-in made after the request arrived', async () => {
    const receivedAt = Date.now();
    const { key, browserSecret } = await pending({ forceAuthn: true, receivedAt });
    const before = new Date(receivedAt - 60_000).toISOString();
    expect(await signIn.continue(key, browserSecret, async () => person(before))).to.deep.include({ kind: 'sign-in' });
    const after = new Date(receivedAt + 1000).toISOString();
    expect(await signIn.continue(key, browserSecret, async () => person(after))).to.deep.include({ kind: 'post', action: ACS });
  });

  it('refuses a person the decision refuses: 403, audited, and the request used up', async () => {
    decision = { ok: false, refusal: { code: 'not-assigned', message: 'You are not assigned to Example SP.' } };
    const { key, browserSecret } = await pending();
    const refused = await rejection(signIn.continue(key, browserSecret, async () => person()));
    expect(refused).to.be.instanceOf(ForbiddenError).and.have.property('message', 'You are not assigned to Example SP.');
    expect(audited).to.deep.equal([
      { actor: 'alice', action: 'federation.application.refused', target: `application/${APP.id}`, detail: { reason: 'not-assigned', initiatedBy: 'sp' } },
    ]);
    expect(await requests.find(key, browserSecret)).to.equal(null);
  });

  it('answers a NameIDPolicy it cannot meet with InvalidNameIDPolicy to the app, not a page', async () => {
    decision = { ok: false, refusal: { code: 'nameid-policy', message: 'wrong format' } };
    const { key, browserSecret } = await pending({ requestedNameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' });
    const answer = await signIn.continue(key, browserSecret, async () => person());
    expect(answer.kind === 'post' && answer.fields.status).to.equal(STATUS_INVALID_NAMEID_POLICY);
    expect(audited).to.deep.equal([]);
  });

  it('refuses to answer the same request twice', async () => {
    const { key, browserSecret } = await pending();
    await signIn.continue(key, browserSecret, async () => person());
    expect(await rejection(signIn.continue(key, browserSecret, async () => person()))).to.be.instanceOf(ValidationError);
  });
});
