// A software WebAuthn authenticator for HTTP-level tests, written from the specification with
// node:crypto alone (no code shared with the verifier under test): an ES256 key pair, "none"
// attestation (WebAuthn L3 §8.7), authenticator data (§6.1) and assertion signatures over
// authenticatorData || SHA-256(clientDataJSON) (§6.3.3). Every field a refusal test tampers with
// (origin, RP ID, challenge, counter) is a parameter.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  const b = Buffer.alloc(3);
  b[0] = (major << 5) | 25;
  b.writeUInt16BE(n, 1);
  return b;
}

/** RFC 8949 §3: just the types COSE keys and attestation objects need. */
function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, val]) => [cbor(k), cbor(val)])]);
}

const b64u = (b: Buffer) => b.toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface CeremonyTweaks {
  /** The origin the "browser" reports; default: the authenticator's. */
  origin?: string;
  /** The RP ID whose hash the authenticator signs; default: the authenticator's. */
  rpId?: string;
  /** The signature counter to report; default: one more than last time. */
  counter?: number;
  /** Sign over another challenge than the options' (base64url). */
  challenge?: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  counter = 0;

  constructor(
    readonly origin: string,
    readonly rpId: string = new URL(origin).hostname,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  #authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  #clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** The RegistrationResponseJSON for options from navigator.credentials.create(). */
  create(options: { challenge: string }, tweaks: CeremonyTweaks = {}): string {
    const jwk = this.publicKey.export({ format: 'jwk' });
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cbor(coseKey)]);
    this.counter = tweaks.counter ?? 0;
    const authData = this.#authData(tweaks.rpId ?? this.rpId, UP | UV | AT, this.counter, attested);
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    const clientDataJSON = this.#clientData('webauthn.create', tweaks.challenge ?? options.challenge, tweaks.origin ?? this.origin);
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['usb'] },
      clientExtensionResults: {},
    });
  }

  /** The AuthenticationResponseJSON for options from navigator.credentials.get(). */
  get(options: { challenge: string }, tweaks: CeremonyTweaks = {}): string {
    this.counter = tweaks.counter ?? this.counter + 1;
    const authenticatorData = this.#authData(tweaks.rpId ?? this.rpId, UP | UV, this.counter);
    const clientDataJSON = this.#clientData('webauthn.get', tweaks.challenge ?? options.challenge, tweaks.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), this.privateKey);
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authenticatorData), signature: b64u(signature) },
      clientExtensionResults: {},
    });
  }
}

const decodeEntities = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The WebAuthn options a page hands its passkey button (views/webauthn.ts), or null. */
export interface PageOptions {
  challenge: string;
  allowCredentials?: { id: string }[];
  excludeCredentials?: { id: string }[];
  rpId?: string;
  rp?: { id: string; name: string };
  user?: { id: string; name: string };
  [other: string]: unknown;
}

export function passkeyOptionsOf(page: string): PageOptions | null {
  const m = /data-options="([^"]*)"/.exec(page);
  return m ? JSON.parse(decodeEntities(m[1]!)) : null;
}
