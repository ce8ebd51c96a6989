// A directory that is down, hung, unreachable or refusing the service account: every call throws
// UnavailableError('ldap') within connectTimeoutMs + operationTimeoutMs (1 s + 1 s here), nothing is
// logged as a failed sign-in, nobody gets in, and the same source recovers once slapd is back.

import net from 'node:net';
import { expect } from 'chai';
import type { LdapIdentitySource } from '../../directory/ldap/ldap-identity-source.ts';
import type { LdapSettingsInput } from '../../directory/ldap/settings.ts';
import { UnavailableError } from '../../model/errors.ts';
import type { User } from '../../model/types.ts';
import type { SqlStores } from '../../store/stores.ts';
import { capturingLogger, ldapSource, openLdapSettings, openTestStores, passwordOf, TEST_TIMEOUTS } from '../support/ldap-seed/fixtures.ts';
import { startSlapd, type PrivateSlapd } from '../support/slapd.ts';

const BUDGET_MS = TEST_TIMEOUTS.connectTimeoutMs + TEST_TIMEOUTS.operationTimeoutMs;
/** Timers and process scheduling on a busy CI machine. */
const SLACK_MS = 750;

describe('LDAP directory unavailable', () => {
  let slapd: PrivateSlapd;
  let stores: SqlStores;
  let logger: ReturnType<typeof capturingLogger>;
  let alice: User;

  before(async () => {
    slapd = await startSlapd();
    stores = await openTestStores();
    const result = await ldapSource(openLdapSettings(slapd), stores).authenticate('alice', passwordOf('alice'));
    if (!result.ok) throw new Error('alice cannot sign in');
    alice = result.user;
  });
  beforeEach(() => {
    logger = capturingLogger();
  });
  afterEach(async () => {
    // Whatever a test did to slapd, the next one finds it running.
    slapd.resume();
    await slapd.start();
  });
  after(async () => {
    await stores?.close();
    await slapd?.close();
  });

  const sourceWith = (overrides: Partial<LdapSettingsInput> = {}): LdapIdentitySource =>
    ldapSource(openLdapSettings(slapd, overrides), stores, logger);

  /** Runs `call`, expects UnavailableError('ldap'), returns how long it took. */
  async function expectUnavailable(call: () => Promise<unknown>): Promise<{ ms: number; error: UnavailableError }> {
    const started = performance.now();
    const outcome = await call().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const ms = performance.now() - started;
    if (!('error' in outcome)) throw new Error(`expected UnavailableError, got ${JSON.stringify(outcome.value)}`);
    expect(outcome.error).to.be.instanceOf(UnavailableError);
    expect((outcome.error as UnavailableError).dependency).to.equal('ldap');
    return { ms, error: outcome.error as UnavailableError };
  }

  function expectNoFailedSignInLogged(): void {
    expect(logger.lines.filter((l) => l.fields.event === 'ldap.signin.failure')).to.deep.equal([]);
  }

  it('throws UnavailableError at once while slapd is stopped, then recovers on the same source when it is back', async () => {
    const source = sourceWith();
    await slapd.stop();

    const { ms, error } = await expectUnavailable(() => source.authenticate('alice', passwordOf('alice')));
    expect(ms).to.be.below(BUDGET_MS + SLACK_MS);
    expect(error.message).to.match(/ECONNREFUSED/);
    await expectUnavailable(() => source.authenticate('alice', 'a-wrong-password'));
    await expectUnavailable(() => source.findUserByName('alice'));
    await expectUnavailable(() => source.getUser(alice.id));
    await expectUnavailable(() => source.groupsOf(alice));
    await expectUnavailable(() => source.searchUsers('a', 10));
    await expectUnavailable(() => source.searchGroups('a', 10));
    await expectUnavailable(() => source.ping());
    expectNoFailedSignInLogged();
    expect(logger.lines.some((l) => l.fields.event === 'ldap.signin.unavailable')).to.equal(true);

    await slapd.start();
    const back = await source.authenticate('alice', passwordOf('alice'));
    expect(back.ok && back.user.id).to.equal(alice.id);
    expect((await source.groupsOf(alice)).map((g) => g.displayName)).to.include('engineering');
  });

  it('gives up within the timeout when slapd hangs (accepts connections, answers nothing)', async () => {
    const source = sourceWith();
    slapd.pause();

    for (const call of [() => source.authenticate('alice', passwordOf('alice')), () => source.groupsOf(alice)]) {
      const { ms } = await expectUnavailable(call);
      expect(ms).to.be.below(BUDGET_MS + SLACK_MS);
      expect(ms).to.be.at.least(TEST_TIMEOUTS.operationTimeoutMs - 50);
    }
    expectNoFailedSignInLogged();

    slapd.resume();
    const back = await source.authenticate('alice', passwordOf('alice'));
    expect(back.ok).to.equal(true);
  });

  it('keeps the whole conversation within connect + operation timeout, however many requests it makes', async () => {
    // Every answer is 300 ms late: each request is well under operationTimeoutMs (1 s), but
    // frank's four levels of groups take seven requests, far over the 1.1 s budget.
    const proxy = await slowProxy(slapd.port, 300);
    try {
      const source = sourceWith({ url: proxy.url, connectTimeoutMs: 100, operationTimeoutMs: 1000 });
      const frank = await ldapSource(openLdapSettings(slapd), stores).findUserByName('frank');
      const { ms, error } = await expectUnavailable(() => source.groupsOf(frank!));
      expect(error.message).to.include('did not finish within 1100 ms');
      expect(ms).to.be.within(1100 - 50, 1100 + SLACK_MS);
    } finally {
      await proxy.close();
    }
  });

  it('treats a refused service account as a broken directory, not as a failed sign-in', async () => {
    const source = sourceWith({ bindPassword: 'not-the-service-password' });
    const { error } = await expectUnavailable(() => source.authenticate('alice', passwordOf('alice')));
    expect(error.message).to.include(`bind as ${slapd.bindDn} failed: invalid credentials`);
    expectNoFailedSignInLogged();
    expect(logger.text()).not.to.include('not-the-service-password');
    expect(logger.text()).not.to.include(passwordOf('alice'));
  });

  it('throws UnavailableError for a port nobody listens on and for an unroutable address', async () => {
    await slapd.stop();
    const refused = await expectUnavailable(() => sourceWith().authenticate('alice', passwordOf('alice')));
    expect(refused.ms).to.be.below(BUDGET_MS + SLACK_MS);

    // TEST-NET-1 (RFC 5737): never routed, so the connection either hangs until connectTimeoutMs or fails at once.
    const unroutable = await expectUnavailable(() => sourceWith({ url: 'ldap://192.0.2.1:389' }).authenticate('alice', passwordOf('alice')));
    expect(unroutable.ms).to.be.below(BUDGET_MS + SLACK_MS);
    expectNoFailedSignInLogged();
  });
});

/** A TCP proxy to slapd that holds every answer back by `delayMs`. */
async function slowProxy(targetPort: number, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
