// TOTP as authenticator apps compute it (RFC 6238 with SHA-1, 6 digits, 30-second steps): the
// RFC's own test vectors (Appendix B, truncated to 6 digits as RFC 4226 §5.3 does), agreement with
// the otpauth library on random secrets, the window of one step either side (§5.2), and the
// otpauth:// URI an app scans.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import * as OTPAuth from 'otpauth';
import { base32Decode, base32Encode } from '../../idp/otp/base32.ts';
import { matchTotp, totpCode, totpStep, totpUri } from '../../idp/otp/totp.ts';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it('gives the codes of RFC 6238 Appendix B (SHA-1), to six digits', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eight] of vectors) expect(totpCode(RFC_SECRET, totpStep(seconds * 1000)), String(seconds)).to.equal(eight.slice(-6));
  });

  it('agrees with otpauth on random secrets, through Base32 both ways', () => {
    for (let i = 0; i < 20; i++) {
      const secret = randomBytes(20);
      const text = base32Encode(secret);
      expect(OTPAuth.Secret.fromBase32(text).base32).to.equal(text);
      expect(base32Decode(text)!.equals(secret)).to.equal(true);
      const at = Date.now() + i * 7_919_000;
      const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(text), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
      expect(totpCode(secret, totpStep(at))).to.equal(theirs);
    }
  });

  it('accepts a code one step before or after now, and nothing further', () => {
    const secret = randomBytes(20);
    const now = Date.now();
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, step), now)).to.equal(step);
    expect(matchTotp(secret, totpCode(secret, step - 1), now)).to.equal(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), now)).to.equal(step + 1);
    for (const far of [step - 2, step + 2]) {
      const code = totpCode(secret, far);
      // A code far off may equal a near one by chance (1 in 10^6); then it is that step's code.
      const near = [step - 1, step, step + 1].some((s) => totpCode(secret, s) === code);
      if (!near) expect(matchTotp(secret, code, now)).to.equal(null);
    }
    expect(matchTotp(secret, '12345', now)).to.equal(null);
    expect(matchTotp(secret, 'abcdef', now)).to.equal(null);
  });

  it('makes the otpauth:// URI authenticator apps scan, which otpauth reads back', () => {
    const secret = randomBytes(20);
    const uri = totpUri(secret, { issuer: 'Gatehouse', accountName: 'alice@example.com' });
    const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
    expect(parsed).to.be.instanceOf(OTPAuth.TOTP);
    expect(parsed.issuer).to.equal('Gatehouse');
    expect(parsed.label).to.equal('alice@example.com');
    expect(parsed.secret.base32).to.equal(base32Encode(secret));
    expect([parsed.algorithm, parsed.digits, parsed.period]).to.deep.equal(['SHA1', 6, 30]);
  });
});
