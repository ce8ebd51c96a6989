// Planning and walking a front-channel logout chain (access/app-sso/single-logout.ts) without
// HTTP: which apps of an ended portal session are visited, with which binding, how the chain moves
// on when an app answers nothing or is skipped, and where it ends. Chains and issued assertions
// are real (embedded ephemeral store); the application store is a stand-in. The full flow with
// real SPs is test/saml/slo.test.ts.
import { systemClock } from '../../model/clock.ts';
import { expect } from 'chai';
import { AppSsoSessions } from '../../access/app-sso/issued-assertions.ts';
import { LOGOUT_CHAIN_DEADLINE_SECONDS, LogoutChains } from '../../access/app-sso/logout-chains.ts';
import { AppSsoRequests } from '../../access/app-sso/requests.ts';
import { SingleLogout, type LogoutOutcome } from '../../access/app-sso/single-logout.ts';
import { hashSessionId, PortalSessionService, type PortalSession } from '../../access/portal-sessions.ts';
import { BINDING_HTTP_POST, BINDING_HTTP_REDIRECT } from '../../idp/saml/inbound/names.ts';
import type { Application } from '../../model/types.ts';
import type { AuditStore } from '../../store/stores.ts';
import { fixtureSigningKey } from '../support/signing-keys.ts';
import { tempEphemeralStore, user } from './people.ts';

const app = (id: string, slo: Application['slo']) => ({ id, entityId: `https://${id}.example/sp`, name: id.toUpperCase(), slo, signingCertificates: [] }) as unknown as Application;
const REDIRECTING = app('alpha', { url: 'https://alpha.example/slo', binding: BINDING_HTTP_REDIRECT });
const NO_SLO = app('bravo', null);
const POSTING = app('charlie', { url: 'https://charlie.example/slo', binding: BINDING_HTTP_POST });
const APPS = [REDIRECTING, NO_SLO, POSTING];

describe('Single Logout chains (access/app-sso/single-logout.ts)', () => {
  let ephemeral: ReturnType<typeof tempEphemeralStore>;
  let logout: SingleLogout;
  let session: PortalSession;

  beforeEach(async () => {
    ephemeral = tempEphemeralStore();
    const portalSessions = new PortalSessionService(ephemeral.store);
    const issued = new AppSsoSessions(ephemeral.store, portalSessions);
    logout = new SingleLogout({
      applications: {
        get: async (id) => APPS.find((a) => a.id === id) ?? null,
        getByEntityId: async (entityId) => APPS.find((a) => a.entityId === entityId) ?? null,
      },
      issued,
      chains: new LogoutChains(ephemeral.store),
      requests: new AppSsoRequests(ephemeral.store, 180),
      audit: { append: async () => ({}) } as unknown as AuditStore,
      saml: { entityId: 'https://gatehouse.test/saml/metadata', key: await fixtureSigningKey() },
      sloUrl: 'https://gatehouse.test/saml/slo',
      clockSkewSeconds: 180,
      clock: systemClock,
    });
    const created = await portalSessions.create(user('alice'), 60);
    session = { ...created.session, apps: APPS.map((a) => a.entityId) };
    for (const a of APPS) {
      await issued.recordIssued(
        { sessionIndex: session.sessionIndex, sessionHash: hashSessionId(created.id), userId: 'alice', entityId: a.entityId, nameId: `alice@${a.id}`, nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress' },
        3600,
      );
    }
  });
  afterEach(() => ephemeral.close());

  const keyOf = (url: string | null) => new URL(url ?? '', 'https://gatehouse.test').searchParams.get('k') ?? '';
  const hop = (outcome: LogoutOutcome) => {
    if (outcome.kind !== 'hop') throw new Error(`expected a hop, got ${outcome.kind}`);
    return outcome;
  };

  it('visits only the apps with a SingleLogoutService, each with its own binding, then says the person is signed out', async () => {
    const start = await logout.beginPortalLogout(session);
    expect(start).to.match(/^\/saml\/slo\/progress\?k=[\w-]{32}$/);
    const key = keyOf(start);

    const first = hop(await logout.progress(key, false));
    expect(first.hop.entityId).to.equal(REDIRECTING.entityId);
    expect(first.hops.map((h) => h.entityId)).to.deep.equal([REDIRECTING.entityId, POSTING.entityId]);
    if (first.carrier.binding !== 'redirect') throw new Error('expected the HTTP-Redirect binding');
    const sent = new URL(first.carrier.url);
    expect(sent.origin + sent.pathname).to.equal('https://alpha.example/slo');
    expect([...sent.searchParams.keys()]).to.include.members(['SAMLRequest', 'RelayState', 'SigAlg', 'Signature']);
    expect(sent.searchParams.get('RelayState')).to.equal(key);
    expect(first.skipUrl).to.equal(`/saml/slo/progress?k=${key}&skip=1`);

    // Back without an answer: alpha did not answer, charlie is next, over HTTP-POST.
    const second = hop(await logout.progress(key, false));
    expect(second.hops.map((h) => h.state)).to.deep.equal(['no-answer', 'sent']);
    if (second.carrier.binding !== 'post') throw new Error('expected the HTTP-POST binding');
    expect(second.carrier.action).to.equal('https://charlie.example/slo');
    expect(second.carrier.fields.RelayState).to.equal(key);
    expect(second.carrier.fields.SAMLRequest).to.be.a('string').and.not.equal('');

    // Skipped: the chain ends where no app asked for the logout, on "You have been signed out".
    const end = await logout.progress(key, true);
    expect(end.kind).to.equal('signed-out');
    expect(end.kind === 'signed-out' && end.hops.map((h) => h.state)).to.deep.equal(['no-answer', 'skipped']);
    // Finished chains are gone.
    expect(await logout.progress(key, false)).to.deep.equal({ kind: 'redirect', url: '/start' });
  });

  it('leaves out the app that asked for the logout, and starts no chain when nothing is left', async () => {
    const origin = { applicationId: POSTING.id, entityId: POSTING.entityId, inResponseTo: '_lr1' };
    const start = await logout.beginPortalLogout({ ...session, apps: [POSTING.entityId, NO_SLO.entityId] }, origin);
    expect(start).to.equal(null);
  });

  it('skips every app not yet visited once the deadline has passed', async () => {
    const key = keyOf(await logout.beginPortalLogout(session));
    const late = Date.now() + (LOGOUT_CHAIN_DEADLINE_SECONDS + 1) * 1000;
    expect(await logout.progress(key, false, late)).to.have.property('kind', 'signed-out');
  });
});
