// What every identity source must do alike (directory/identity-source.ts), run against each one:
// the built-in directory and LDAP (test/directory/ldap-sign-in.test.ts) call
//
//   identitySourceContract('LDAP', async () => ({ source, knownUser, knownUserGroup, close }));
//
// `makeSource` runs once for the suite; the fixture must hold a user who can sign in with
// `knownUser.password` and is a direct member of a group whose displayName is `knownUserGroup`.

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { IdentitySource } from '../../directory/identity-source.ts';
import type { User } from '../../model/types.ts';

export interface IdentitySourceFixture {
  source: IdentitySource;
  knownUser: { userName: string; password: string };
  /** displayName of a group `knownUser` is a direct member of. */
  knownUserGroup: string;
  close?: () => Promise<void>;
}

export function identitySourceContract(name: string, makeSource: () => Promise<IdentitySourceFixture>): void {
  describe(`identity source contract: ${name}`, () => {
    let f: IdentitySourceFixture;
    let signedIn: User;

    before(async () => {
      f = await makeSource();
      const result = await f.source.authenticate(f.knownUser.userName, f.knownUser.password);
      if (!result.ok) throw new Error(`the fixture's known user cannot sign in (${result.reason})`);
      signedIn = result.user;
    });
    after(async () => {
      await f?.close?.();
    });

    it('signs in the known user with the right password, as an enabled user of this source', async () => {
      const result = await f.source.authenticate(f.knownUser.userName, f.knownUser.password);
      expect(result.ok).to.equal(true);
      if (!result.ok) return;
      expect(result.user.userName.toLowerCase()).to.equal(f.knownUser.userName.toLowerCase());
      expect(result.user.source).to.equal(f.source.kind);
      expect(result.user.enabled).to.equal(true);
    });

    it('gives the same user id at every sign-in', async () => {
      const again = await f.source.authenticate(f.knownUser.userName, f.knownUser.password);
      expect(again.ok && again.user.id).to.equal(signedIn.id);
    });

    it('refuses a wrong password as bad-password', async () => {
      const result = await f.source.authenticate(f.knownUser.userName, `${f.knownUser.password}x`);
      expect(result).to.deep.equal({ ok: false, reason: 'bad-password' });
    });

    it('refuses an unknown user as unknown-user', async () => {
      const result = await f.source.authenticate(`nobody-${randomUUID()}`, f.knownUser.password);
      expect(result).to.deep.equal({ ok: false, reason: 'unknown-user' });
    });

    it('refuses empty and blank passwords as empty-password', async () => {
      for (const password of ['', ' ', '\t \n']) {
        expect(await f.source.authenticate(f.knownUser.userName, password)).to.deep.equal({ ok: false, reason: 'empty-password' });
      }
    });

    it('treats filter and wildcard characters in a name as literal text', async () => {
      for (const userName of ['*', `${f.knownUser.userName}*`, `*)(userName=*`]) {
        const result = await f.source.authenticate(userName, f.knownUser.password);
        expect(result, userName).to.deep.equal({ ok: false, reason: 'unknown-user' });
      }
    });

    it('finds the known user by name, with the id sign-in gave, and nobody for an unknown name', async () => {
      const found = await f.source.findUserByName(f.knownUser.userName);
      expect(found?.id).to.equal(signedIn.id);
      expect(await f.source.findUserByName(`nobody-${randomUUID()}`)).to.equal(null);
    });

    it('gets the user by id, and null for an unknown id', async () => {
      expect((await f.source.getUser(signedIn.id))?.userName).to.equal(signedIn.userName);
      expect(await f.source.getUser(randomUUID())).to.equal(null);
    });

    it("lists the known user's group", async () => {
      const groups = await f.source.groupsOf(signedIn);
      expect(groups.map((g) => g.displayName)).to.include(f.knownUserGroup);
      for (const g of groups) expect(g.source).to.equal(f.source.kind);
    });

    it('finds the user and the group by a part of their names', async () => {
      const part = f.knownUser.userName.slice(0, 3);
      expect((await f.source.searchUsers(part, 50)).map((u) => u.id)).to.include(signedIn.id);
      const groups = await f.source.searchGroups(f.knownUserGroup, 50);
      expect(groups.map((g) => g.displayName)).to.include(f.knownUserGroup);
    });
  });
}
