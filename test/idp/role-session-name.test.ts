// RoleSessionName from a userName (docs/aws-accounts.md: [\w+=,.@-]{2,64} or STS refuses).
import { expect } from 'chai';
import { ROLE_SESSION_NAME, roleSessionNameFor } from '../../idp/saml/role-session-name.ts';
import { ValidationError } from '../../model/errors.ts';

describe('idp/saml roleSessionNameFor', () => {
  it('leaves a userName that already fits as it is', () => {
    for (const u of ['alice', 'alice@example.com', 'first.last+ops=1,x_y-z', 'a'.repeat(64)]) expect(roleSessionNameFor(u)).to.equal(u);
  });

  it('makes any userName fit, the same way every time', () => {
    const names = ['José Núñez', 'DOMAIN\\alice', 'a', 'b'.repeat(200), '東京', 'x y/z', '\u0301', 'ab\u0000cd'];
    for (const u of names) {
      const s = roleSessionNameFor(u);
      expect(s, u).to.match(ROLE_SESSION_NAME);
      expect(roleSessionNameFor(u), u).to.equal(s);
    }
    expect(roleSessionNameFor('José Núñez')).to.match(/^Jose-Nunez-[0-9a-f]{8}$/);
    expect(roleSessionNameFor('b'.repeat(200))).to.have.length(64);
  });

  it('keeps users apart whose names sanitize alike', () => {
    expect(roleSessionNameFor('a b')).to.not.equal(roleSessionNameFor('a/b'));
    expect(roleSessionNameFor('a b')).to.not.equal(roleSessionNameFor('a-b'));
    expect(roleSessionNameFor('c'.repeat(100) + '1')).to.not.equal(roleSessionNameFor('c'.repeat(100) + '2'));
  });

  it('refuses an empty userName', () => {
    expect(() => roleSessionNameFor('')).to.throw(ValidationError);
  });
});
