// The `aws` driver (docs/provisioning.md): the IAM API through @aws-sdk/client-iam, in each account
// with the credentials of a role assumed there (default OrganizationAccountAccessRole) from
// Gatehouse's own credentials (the SDK's standard chain unless given). In the management
// account no role is assumed: Gatehouse's own credentials act there, as Identity Center's do.
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteSAMLProviderCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateSAMLProviderCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Account } from '../../../model/types.ts';
import type { AccountChanges, ObservedAccount, ObservedRole, RoleChange } from '../changes.ts';
import { INLINE_POLICY_NAME, MANAGED_TAG, type DesiredAccount, type DesiredRole } from '../desired-state.ts';
import { ProvisioningFailure, type ProvisioningDriver } from '../driver.ts';
import { ROLE_PATH, samlProviderArn } from '../../role-name.ts';
import { defaultBackoff, isThrottling, withBackoff, type Backoff } from './throttling.ts';

export interface AwsDriverOptions {
  region: string;
  /** Endpoints; undefined: the SDK's own for the region. */
  iamEndpoint?: string;
  stsEndpoint?: string;
  /** The role assumed in each member account. */
  accessRoleName: string;
  /** Gatehouse's own credentials; undefined: the SDK's standard credential chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  backoff?: Backoff;
  now?: () => Date;
}

interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** A call that hangs fails the job instead of holding the account (and a node's shutdown) forever. */
export const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 60_000 };

type Send = <O>(command: { readonly input: unknown }, what: string) => Promise<O>;

const decode = (doc: string | undefined) => (doc === undefined ? '' : decodeURIComponent(doc));

export class AwsDriver implements ProvisioningDriver {
  readonly name = 'aws' as const;
  readonly #sts: STSClient;
  readonly #sessions = new Map<string, { credentials: AwsCredentialIdentity; expires: number }>();
  readonly #backoff: Backoff;
  readonly #now: () => Date;

  constructor(private readonly o: AwsDriverOptions) {
    // Retries are ours (throttling only, with the injected backoff), so the SDK makes one attempt.
    this.#sts = new STSClient({ region: o.region, endpoint: o.stsEndpoint, credentials: o.credentials, maxAttempts: 1, requestHandler: REQUEST_TIMEOUTS });
    this.#backoff = o.backoff ?? defaultBackoff();
    this.#now = o.now ?? (() => new Date());
  }

  async #credentialsFor(account: Account): Promise<AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined> {
    if (account.kind === 'management') return this.o.credentials;
    const cached = this.#sessions.get(account.accountId);
    if (cached && cached.expires - 5 * 60_000 > this.#now().getTime()) return cached.credentials;
    const roleArn = `arn:aws:iam::${account.accountId}:role/${this.o.accessRoleName}`;
    let out;
    try {
      out = await withBackoff(() => this.#sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'gatehouse-provisioning', DurationSeconds: 3600 })), this.#backoff);
    } catch (e) {
      throw failure(e, `sts:AssumeRole ${roleArn}`);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new ProvisioningFailure(`sts:AssumeRole ${roleArn} returned no credentials`);
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    this.#sessions.set(account.accountId, { credentials, expires: c.Expiration?.getTime() ?? this.#now().getTime() + 3600_000 });
    return credentials;
  }

  /**
   * IAM in the account, for one observe or execute: the client (and the connections its own HTTP
   * agent keeps alive, which no other client could reuse) is destroyed when `work` ends.
   */
  async #withIam<T>(account: Account, work: (send: Send) => Promise<T>): Promise<T> {
    const client = new IAMClient({ region: this.o.region, endpoint: this.o.iamEndpoint, credentials: await this.#credentialsFor(account), maxAttempts: 1, requestHandler: REQUEST_TIMEOUTS });
    const send: Send = async <O>(command: { readonly input: unknown }, what: string) => {
      try {
        return (await withBackoff(() => client.send(command as never), this.#backoff)) as O;
      } catch (e) {
        throw failure(e, `${what} in account ${account.accountId}`);
      }
    };
    try {
      return await work(send);
    } finally {
      client.destroy();
    }
  }

  /** STS's connections, kept between jobs to assume roles again. */
  close(): void {
    this.#sts.destroy();
  }

  observe(account: Account): Promise<ObservedAccount> {
    return this.#withIam(account, (send) => this.#observe(account, send));
  }

  async #observe(account: Account, send: Send): Promise<ObservedAccount> {
    const providerArn = samlProviderArn(account.accountId, account.samlProviderName);
    let provider: ObservedAccount['provider'] = null;
    try {
      const p = await send<{ SAMLMetadataDocument?: string; Tags?: { Key?: string }[] }>(new GetSAMLProviderCommand({ SAMLProviderArn: providerArn }), `iam:GetSAMLProvider ${providerArn}`);
      provider = { arn: providerArn, metadataDocument: p.SAMLMetadataDocument ?? '', managed: (p.Tags ?? []).some((t) => t.Key === MANAGED_TAG) };
    } catch (e) {
      if (!(e instanceof ProvisioningFailure && e.code === 'NoSuchEntityException')) throw e;
    }
    const listed: Role[] = [];
    let marker: string | undefined;
    do {
      const page = await send<{ Roles?: Role[]; IsTruncated?: boolean; Marker?: string }>(new ListRolesCommand({ PathPrefix: ROLE_PATH, Marker: marker }), 'iam:ListRoles');
      listed.push(...(page.Roles ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const roles: ObservedRole[] = [];
    for (const r of listed) {
      const name = r.RoleName!;
      const { Role: full } = await send<{ Role?: Role }>(new GetRoleCommand({ RoleName: name }), `iam:GetRole ${name}`);
      if (!full || !(full.Tags ?? []).some((t) => t.Key === MANAGED_TAG)) continue;
      const attached: string[] = [];
      let m: string | undefined;
      do {
        const page: { AttachedPolicies?: { PolicyArn?: string }[]; IsTruncated?: boolean; Marker?: string } = await send<{ AttachedPolicies?: { PolicyArn?: string }[]; IsTruncated?: boolean; Marker?: string }>(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker: m }), `iam:ListAttachedRolePolicies ${name}`);
        attached.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn!));
        m = page.IsTruncated ? page.Marker : undefined;
      } while (m);
      const inlineNames: string[] = [];
      m = undefined;
      do {
        const page: { PolicyNames?: string[]; IsTruncated?: boolean; Marker?: string } = await send<{ PolicyNames?: string[]; IsTruncated?: boolean; Marker?: string }>(new ListRolePoliciesCommand({ RoleName: name, Marker: m }), `iam:ListRolePolicies ${name}`);
        inlineNames.push(...(page.PolicyNames ?? []));
        m = page.IsTruncated ? page.Marker : undefined;
      } while (m);
      const inlinePolicies: Record<string, string> = {};
      for (const p of inlineNames) {
        const got = await send<{ PolicyDocument?: string }>(new GetRolePolicyCommand({ RoleName: name, PolicyName: p }), `iam:GetRolePolicy ${name}/${p}`);
        inlinePolicies[p] = decode(got.PolicyDocument);
      }
      roles.push({
        roleName: name,
        path: full.Path ?? '/',
        arn: full.Arn ?? '',
        // IAM returns policy documents URL-encoded (IAM API reference, GetRole).
        trustPolicy: decode(full.AssumeRolePolicyDocument),
        description: full.Description ?? null,
        maxSessionDuration: full.MaxSessionDuration ?? 3600,
        permissionsBoundaryArn: full.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
        tags: (full.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
        managedPolicyArns: attached,
        inlinePolicies,
      });
    }
    return { provider, roles };
  }

  execute(account: Account, changes: AccountChanges, desired: DesiredAccount | null): Promise<void> {
    return this.#withIam(account, (send) => this.#execute(send, changes, desired));
  }

  async #execute(send: Send, changes: AccountChanges, desired: DesiredAccount | null): Promise<void> {
    const p = changes.provider;
    // The provider first: IAM refuses a trust policy that names a provider that does not exist.
    if (p?.action === 'create' && desired) {
      await send(
        new CreateSAMLProviderCommand({ Name: p.name, SAMLMetadataDocument: desired.provider.metadataDocument, Tags: [{ Key: MANAGED_TAG, Value: 'true' }] }),
        `iam:CreateSAMLProvider ${p.name}`,
      );
    } else if (p?.action === 'update' && desired) {
      await send(new UpdateSAMLProviderCommand({ SAMLProviderArn: p.arn, SAMLMetadataDocument: desired.provider.metadataDocument }), `iam:UpdateSAMLProvider ${p.arn}`);
    }
    for (const c of changes.roles) await this.#role(send, c);
    if (p?.action === 'delete') await send(new DeleteSAMLProviderCommand({ SAMLProviderArn: p.arn }), `iam:DeleteSAMLProvider ${p.arn}`);
  }

  async #role(send: Send, c: RoleChange): Promise<void> {
    const name = c.roleName;
    if (c.action === 'create') {
      const r = c.role;
      await send(
        new CreateRoleCommand({
          RoleName: name,
          Path: r.path,
          AssumeRolePolicyDocument: r.trustPolicy,
          Description: r.description ?? undefined,
          MaxSessionDuration: r.maxSessionDuration,
          PermissionsBoundary: r.permissionsBoundaryArn ?? undefined,
          Tags: r.tags.map((t) => ({ Key: t.key, Value: t.value })),
        }),
        `iam:CreateRole ${name}`,
      );
      for (const arn of r.managedPolicyArns) await send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }), `iam:AttachRolePolicy ${name} ${arn}`);
      if (r.inlinePolicy !== null) await send(new PutRolePolicyCommand({ RoleName: name, PolicyName: INLINE_POLICY_NAME, PolicyDocument: r.inlinePolicy }), `iam:PutRolePolicy ${name}`);
      return;
    }
    const observed = c.observed;
    if (c.action === 'delete') {
      // IAM deletes a role only once nothing is attached to it (DeleteConflict otherwise).
      for (const arn of observed?.managedPolicyArns ?? []) await send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn }), `iam:DetachRolePolicy ${name} ${arn}`);
      for (const pn of Object.keys(observed?.inlinePolicies ?? {})) await send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: pn }), `iam:DeleteRolePolicy ${name}/${pn}`);
      await send(new DeleteRoleCommand({ RoleName: name }), `iam:DeleteRole ${name}`);
      return;
    }
    if (!observed) throw new ProvisioningFailure(`update of ${name} without its observed state`);
    await this.#update(send, c.role, observed, new Set(c.fields));
  }

  async #update(send: Send, r: DesiredRole, o: ObservedRole, fields: Set<string>): Promise<void> {
    const name = r.roleName;
    if (fields.has('trustPolicy')) await send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: r.trustPolicy }), `iam:UpdateAssumeRolePolicy ${name}`);
    if (fields.has('description') || fields.has('maxSessionDuration')) {
      await send(new UpdateRoleCommand({ RoleName: name, Description: r.description ?? '', MaxSessionDuration: r.maxSessionDuration }), `iam:UpdateRole ${name}`);
    }
    if (fields.has('permissionsBoundary')) {
      if (r.permissionsBoundaryArn) await send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: r.permissionsBoundaryArn }), `iam:PutRolePermissionsBoundary ${name}`);
      else await send(new DeleteRolePermissionsBoundaryCommand({ RoleName: name }), `iam:DeleteRolePermissionsBoundary ${name}`);
    }
    if (fields.has('tags')) {
      const gone = o.tags.filter((t) => !r.tags.some((d) => d.key === t.key)).map((t) => t.key);
      if (gone.length) await send(new UntagRoleCommand({ RoleName: name, TagKeys: gone }), `iam:UntagRole ${name}`);
      await send(new TagRoleCommand({ RoleName: name, Tags: r.tags.map((t) => ({ Key: t.key, Value: t.value })) }), `iam:TagRole ${name}`);
    }
    if (fields.has('managedPolicies')) {
      // Detach first, so a swap stays under the per-role quota.
      for (const arn of o.managedPolicyArns.filter((a) => !r.managedPolicyArns.includes(a))) await send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn }), `iam:DetachRolePolicy ${name} ${arn}`);
      for (const arn of r.managedPolicyArns.filter((a) => !o.managedPolicyArns.includes(a))) await send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }), `iam:AttachRolePolicy ${name} ${arn}`);
    }
    if (fields.has('inlinePolicy')) {
      for (const pn of Object.keys(o.inlinePolicies).filter((n) => n !== INLINE_POLICY_NAME || r.inlinePolicy === null)) {
        await send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: pn }), `iam:DeleteRolePolicy ${name}/${pn}`);
      }
      if (r.inlinePolicy !== null) await send(new PutRolePolicyCommand({ RoleName: name, PolicyName: INLINE_POLICY_NAME, PolicyDocument: r.inlinePolicy }), `iam:PutRolePolicy ${name}`);
    }
  }
}

function failure(e: unknown, what: string): ProvisioningFailure {
  if (e instanceof ProvisioningFailure) return e;
  const name = e instanceof Error ? e.name : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  return new ProvisioningFailure(`${what}: ${name}: ${message}`, isThrottling(e), name);
}
