// The one password check a user name may have under way (access/sign-in-throttle.ts): a claim
// whose release the store refused (a Redis failover under way) is released again once the store
// answers, instead of refusing that person's sign-ins until the claim expires.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SignInThrottle, DEFAULT_THROTTLE } from '../../access/sign-in-throttle.ts';
import { EmbeddedEphemeralStore } from '../../store/ephemeral/embedded.ts';
import type { EphemeralStore } from '../../store/ephemeral/ephemeral-store.ts';

describe('sign-in throttle: the check claim', () => {
  let dir: string;
  let store: EmbeddedEphemeralStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gh-throttle-'));
    store = new EmbeddedEphemeralStore({ file: path.join(dir, 'ephemeral.db'), timeoutMs: 1000 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The store, with its first `failures` deletes refused as an unreachable Redis would. */
  function failingDeletes(failures: number): EphemeralStore {
    let left = failures;
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'delete') {
          return async (...keys: string[]) => {
            if (left-- > 0) throw new Error('the store did not answer');
            return target.delete(...keys);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  async function eventually(condition: () => Promise<boolean>): Promise<boolean> {
    for (let i = 0; i < 200; i++) {
      if (await condition()) return true;
      await new Promise((r) => setImmediate(r));
    }
    return false;
  }

  it('one check at a time per name: a second claim waits for the release', async () => {
    const throttle = new SignInThrottle(store);
    expect(await throttle.beginCheck('alice')).to.equal(true);
    expect(await throttle.beginCheck('ALICE ')).to.equal(false);
    await throttle.endCheck('alice');
    expect(await throttle.beginCheck('alice')).to.equal(true);
  });

  it('a release the store refused is tried again until it succeeds, and the name can sign in again', async () => {
    const throttle = new SignInThrottle(failingDeletes(3), DEFAULT_THROTTLE, 0);
    expect(await throttle.beginCheck('alice')).to.equal(true);
    const error = await throttle.endCheck('alice').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message, 'the caller still hears of the failure').to.equal('the store did not answer');
    expect(await eventually(() => throttle.beginCheck('alice'))).to.equal(true);
  });
});
