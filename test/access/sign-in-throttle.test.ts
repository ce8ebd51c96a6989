// The one password check a user name may have under way (access/sign-in-throttle.ts): a second
// check waits for the first; a claim left behind (its node died, or a Redis failover lost its
// release or applied it while answering with an error) is taken over once it is older than any
// check can take, instead of refusing that person's sign-ins until it expires a minute later.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SignInThrottle } from '../../access/sign-in-throttle.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';

describe('sign-in throttle: the check claim', () => {
  let dir: string;
  let store: EmbeddedEphemeralStore;
  let now: number;
  let throttle: SignInThrottle;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gh-throttle-'));
    store = new EmbeddedEphemeralStore({ file: path.join(dir, 'ephemeral.db'), timeoutMs: 1000 });
    now = Date.parse('2026-12-06T09:00:00Z');
    throttle = new SignInThrottle(store, undefined, { staleClaimMs: 5000, now: () => now });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one check at a time per name (every spelling of it): a second claim waits for the release', async () => {
    expect(await throttle.beginCheck('alice')).to.equal(true);
    expect(await throttle.beginCheck('ALICE ')).to.equal(false);
    now += 4999;
    expect(await throttle.beginCheck('alice'), 'a check may still be under way').to.equal(false);
    await throttle.endCheck('alice');
    expect(await throttle.beginCheck('alice')).to.equal(true);
  });

  it('a claim never released is taken over once older than any check can take, and then holds again', async () => {
    expect(await throttle.beginCheck('alice')).to.equal(true);
    now += 5000;
    expect(await throttle.beginCheck('alice')).to.equal(true);
    expect(await throttle.beginCheck('alice'), 'the new claim holds').to.equal(false);
  });
});
