// Rolling the SAML signing key over without breaking any relying party (docs/operations.md
// "Signing key rollover"): stage a next key (published, signing nothing), promote it once every
// relying party has the new metadata (it signs; the old key stays published as previous), retire
// the old key once nothing can still hold a message it signed. The same use cases serve the admin
// API and the `gatehouse keys` command; each change is audited and read back by this node at once.

import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { generateSigningKey, signingKeyFromPem, type SigningKeyMaterial } from '../../idp/keys.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors.ts';
import { newSigningKeyId } from '../../model/ids.ts';
import type { SigningKeyOrigin, SigningKeyRecord, SigningKeyStatus } from '../../model/types.ts';
import { parseInput } from '../../model/validate.ts';
import type { AuditStore, SigningKeyStore } from '../../store/stores.ts';
import type { SigningKeyring } from './keyring.ts';
import { sealPrivateKey } from './sealed-private-key.ts';

const PEM_MAX = 16 * 1024;

export const stageSigningKeySchema = z
  .strictObject({
    privateKeyPem: z.string().max(PEM_MAX).includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional(),
    certificatePem: z.string().max(PEM_MAX).includes('CERTIFICATE', { message: 'must be a PEM certificate' }).optional(),
  })
  .refine((v) => (v.privateKeyPem === undefined) === (v.certificatePem === undefined), {
    message: 'give both privateKeyPem and certificatePem, or neither to have Gatehouse generate the key',
    path: ['certificatePem'],
  });

/** What the API and the command line show of a key: never its private half. */
export interface SigningKeyView {
  id: string;
  status: SigningKeyStatus;
  origin: SigningKeyOrigin;
  fingerprintSha256: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  promotedAt: string | null;
  retiredAt: string | null;
  certificatePem: string;
}

export interface SigningKeyServiceDeps {
  store: SigningKeyStore;
  audit: AuditStore;
  keyring: SigningKeyring;
  sealKey: Buffer;
  /** Our SAML entity id, named in generated certificates. */
  entityId: string;
  now?: () => Date;
  /** Makes a new key pair; generateSigningKey unless a test supplies its own. */
  generate?: (entityId: string) => Promise<SigningKeyMaterial>;
  /**
   * The accounts whose IAM SAML provider does not carry the published metadata yet
   * (ProvisioningService.providersBehind); none when Gatehouse provisions no account.
   */
  providersBehind?: () => Promise<string[]>;
}

/** How many accounts a refused promotion names; the rest are counted. */
const NAMED_ACCOUNTS = 10;

export class SigningKeyService {
  private readonly now: () => Date;

  constructor(private readonly d: SigningKeyServiceDeps) {
    this.now = d.now ?? (() => new Date());
  }

  /** Every key: current, next, previous, then retired ones, newest first within each. */
  async list(): Promise<SigningKeyView[]> {
    const rank: Record<SigningKeyStatus, number> = { current: 0, next: 1, previous: 2, retired: 3 };
    const records = await this.d.store.list();
    return records
      .sort((a, b) => rank[a.status] - rank[b.status] || b.createdAt.getTime() - a.createdAt.getTime())
      .map(viewOf);
  }

  async get(id: string): Promise<SigningKeyView> {
    const record = await this.d.store.get(id);
    if (!record) throw new NotFoundError('Signing key', id);
    return viewOf(record);
  }

  /** A next key: generated, or the PEM pair given. Published in metadata at once; signs nothing until promoted. */
  async stage(input: unknown, actor: string): Promise<SigningKeyView> {
    const given = parseInput(stageSigningKeySchema, input ?? {}, 'signing key');
    // The set must be readable with this server key before another key is sealed under it.
    const set = await this.d.keyring.reload();
    if (set.next) throw new ConflictError(`Signing key ${set.next.id} is already staged as the next key; promote or retire it first`);
    const material = given.privateKeyPem && given.certificatePem ? this.uploaded(given.privateKeyPem, given.certificatePem) : await (this.d.generate ?? generateSigningKey)(this.d.entityId);
    const origin: SigningKeyOrigin = given.privateKeyPem ? 'uploaded' : 'generated';
    const id = newSigningKeyId();
    const record = await this.d.store.insert(
      {
        id,
        status: 'next',
        origin,
        certificatePem: material.key.certificatePem,
        fingerprintSha256: material.key.fingerprintSha256,
        privateKeySealed: sealPrivateKey(this.d.sealKey, id, material.privateKeyPem),
      },
      this.now(),
    );
    await this.d.audit.append({
      actor,
      action: 'signing-key.stage',
      target: `signing-key/${id}`,
      detail: { fingerprintSha256: record.fingerprintSha256, origin, notAfter: material.key.notAfter.toISOString() },
    });
    await this.d.keyring.reload();
    return viewOf(record);
  }

  /** The next key signs from now on; the key it replaces stays published as previous. */
  async promote(id: string, actor: string, options: { force?: boolean } = {}): Promise<SigningKeyView> {
    const keys = await this.d.store.list();
    const replaced = keys.find((k) => k.status === 'current');
    // AWS checks an assertion's signature against the certificates of the account's SAML provider
    // (IAM UpdateSAMLProvider): a key promoted before every provider carries its certificate
    // would lock people out of those accounts until the next provisioning.
    const behind = keys.find((k) => k.id === id)?.status === 'next' && this.d.providersBehind ? await this.d.providersBehind() : [];
    if (behind.length > 0 && !options.force) {
      const named = behind.slice(0, NAMED_ACCOUNTS).join(', ') + (behind.length > NAMED_ACCOUNTS ? ` and ${behind.length - NAMED_ACCOUNTS} more` : '');
      throw new ConflictError(
        `The SAML provider of ${behind.length === 1 ? 'account' : `${behind.length} accounts`} ${named} does not carry this key's certificate yet: ` +
          'sign-ins there would fail. Provision them first (POST /api/v1/provisioning/apply or `gatehouse apply`), or promote with force.',
      );
    }
    await this.d.store.promote(id, this.now());
    const promoted = await this.get(id);
    await this.d.audit.append({
      actor,
      action: 'signing-key.promote',
      target: `signing-key/${id}`,
      detail: { fingerprintSha256: promoted.fingerprintSha256, previous: replaced?.id ?? null, ...(behind.length ? { forced: true, accountsBehind: behind } : {}) },
    });
    await this.d.keyring.reload();
    return promoted;
  }

  /** A next or previous key leaves the metadata and its private key is erased. */
  async retire(id: string, actor: string): Promise<SigningKeyView> {
    const before = await this.d.store.get(id);
    await this.d.store.retire(id, this.now());
    const retired = await this.get(id);
    await this.d.audit.append({
      actor,
      action: 'signing-key.retire',
      target: `signing-key/${id}`,
      detail: { fingerprintSha256: retired.fingerprintSha256, was: before?.status ?? null },
    });
    await this.d.keyring.reload();
    return retired;
  }

  private uploaded(privateKeyPem: string, certificatePem: string): SigningKeyMaterial {
    let material: SigningKeyMaterial;
    try {
      material = { key: signingKeyFromPem(privateKeyPem, certificatePem, 'the request'), privateKeyPem };
    } catch (e) {
      throw new ValidationError(`Invalid signing key: ${(e as Error).message}`, [{ field: 'certificatePem', message: (e as Error).message }]);
    }
    if (material.key.notAfter.getTime() <= this.now().getTime()) {
      throw new ValidationError('Invalid signing key: the certificate has expired', [{ field: 'certificatePem', message: 'has expired' }]);
    }
    return material;
  }
}

export function viewOf(record: SigningKeyRecord): SigningKeyView {
  const cert = new X509Certificate(record.certificatePem);
  return {
    id: record.id,
    status: record.status,
    origin: record.origin,
    fingerprintSha256: record.fingerprintSha256,
    subject: cert.subject,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    createdAt: record.createdAt.toISOString(),
    promotedAt: record.promotedAt?.toISOString() ?? null,
    retiredAt: record.retiredAt?.toISOString() ?? null,
    certificatePem: record.certificatePem,
  };
}
