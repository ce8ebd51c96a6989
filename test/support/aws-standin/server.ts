// A STAND-IN for AWS IAM, STS (AssumeRole) and Organizations, for tests and benches only: it is
// not AWS (docs/aws-standin.md). One local HTTP server answers all three, routed by the service
// in each request's SigV4 credential scope, and keeps their state in memory:
// - every request must carry a valid SigV4 signature (sigv4.ts) by a known key: the caller's own
//   long-term key (an identity in the management account), or a session from AssumeRole;
// - STS AssumeRole (Query protocol, 2011-06-15) hands out a session in the role's account when
//   the role is the organization's access role and the account is known; otherwise AccessDenied;
// - IAM (Query protocol, 2010-05-08) acts on the namespace of the account the key belongs to
//   (iam.ts); Organizations (JSON 1.1) answers from the organization (organizations.ts);
// - tests inject faults (Throttling, LimitExceeded, AccessDenied...), hold a call until released,
//   and read the log of calls.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsFault, accessDenied } from './errors.ts';
import { AccountIam, IAM_NS, IamHandlers } from './iam.ts';
import { Organization, type OrgAccount } from './organizations.ts';
import { QueryInputError, QueryParams, errorXml, resultXml } from './query-protocol.ts';
import { SignatureRefusal, signedScope, verifySigV4 } from './sigv4.ts';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StandInCall {
  service: 'iam' | 'sts' | 'organizations';
  action: string;
  /** The account acted in (IAM), or the caller's account. */
  accountId: string;
  /** The error code answered, if any. */
  error?: string;
}

export interface FaultRule {
  service?: StandInCall['service'];
  action?: string;
  accountId?: string;
  code: string;
  status?: number;
  message?: string;
  /** How many matching calls it answers (default 1). */
  times?: number;
}

export interface Hold {
  /** Resolves when a matching call has arrived and is being held. */
  reached: Promise<void>;
  /** Lets the held call (and any later matching one) proceed. */
  release(): void;
}

export interface AwsStandIn {
  /** Give it as the IAM, STS and Organizations endpoint. */
  url: string;
  /** The caller's long-term key, an identity in the management account. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  managementAccountId: string;
  organization: Organization;
  /** The name of the role AssumeRole accepts in every account. */
  accessRoleName: string;
  calls: StandInCall[];
  /** IAM of an account (created empty on first use). */
  iam(accountId: string): AccountIam;
  /** Adds an account to the organization (under the root unless parentId). */
  addAccount(account: Omit<OrgAccount, 'status' | 'parentId'> & Partial<Pick<OrgAccount, 'status' | 'parentId'>>): void;
  addUnit(unit: { id: string; name: string; parentId?: string }): void;
  fail(rule: FaultRule): void;
  /** AssumeRole into this account answers AccessDenied (a missing or untrusting access role). */
  denyAssume(accountId: string, denied?: boolean): void;
  /** IAM calls by the assumed role in this account answer AccessDenied (a role without IAM rights). */
  denyIam(accountId: string, denied?: boolean): void;
  /** Holds the next call matching `action` (in `accountId` if given) until released. */
  hold(action: string, accountId?: string): Hold;
  close(): Promise<void>;
}

interface Session {
  secret: string;
  token: string | undefined;
  accountId: string;
  /** The role assumed; undefined for the long-term key. */
  role: string | undefined;
  expires: Date | undefined;
}

export async function startAwsStandIn(options: { managementAccountId?: string; accessRoleName?: string; now?: () => Date } = {}): Promise<AwsStandIn> {
  const now = options.now ?? (() => new Date());
  const managementAccountId = options.managementAccountId ?? '999999999999';
  const accessRoleName = options.accessRoleName ?? 'OrganizationAccountAccessRole';
  const credentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  const sessions = new Map<string, Session>([[credentials.accessKeyId, { secret: credentials.secretAccessKey, token: undefined, accountId: managementAccountId, role: undefined, expires: undefined }]]);
  const namespaces = new Map<string, AccountIam>();
  const organization = new Organization(managementAccountId);
  const faults: (FaultRule & { left: number })[] = [];
  const assumeDenied = new Set<string>();
  const iamDenied = new Set<string>();
  const holds: { action: string; accountId?: string; arrived: () => void; gate: Promise<void>; open: boolean }[] = [];
  const calls: StandInCall[] = [];
  const iamHandlers = new IamHandlers(now);

  const iamOf = (accountId: string) => {
    let ns = namespaces.get(accountId);
    if (!ns) namespaces.set(accountId, (ns = new AccountIam(accountId)));
    return ns;
  };
  organization.accounts.set(managementAccountId, { id: managementAccountId, name: 'Management', email: 'management@example.com', status: 'ACTIVE', parentId: organization.rootId });

  function injected(call: StandInCall): AwsFault | undefined {
    const rule = faults.find((f) => f.left > 0 && (f.service ?? call.service) === call.service && (f.action ?? call.action) === call.action && (f.accountId ?? call.accountId) === call.accountId);
    if (!rule) return undefined;
    rule.left -= 1;
    return new AwsFault(rule.status ?? (rule.code === 'AccessDenied' ? 403 : 400), rule.code, rule.message ?? `${rule.code} (injected by the test)`);
  }

  async function held(call: StandInCall): Promise<void> {
    const h = holds.find((x) => x.action === call.action && (x.accountId ?? call.accountId) === call.accountId);
    if (!h || h.open) return;
    h.arrived();
    await h.gate;
  }

  function assumeRole(session: Session, p: QueryParams): Record<string, unknown> {
    const roleArn = p.required('RoleArn');
    const sessionName = p.required('RoleSessionName');
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new AwsFault(400, 'ValidationError', 'RoleSessionName must match [\\w+=,.@-]{2,64}');
    const m = /^arn:aws:iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
    const deny = () => accessDenied(`User: arn:aws:iam::${session.accountId}:user/gatehouse is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    if (!m || session.role !== undefined) throw deny();
    const [, accountId, roleName] = m as unknown as [string, string, string];
    if (roleName !== accessRoleName || !organization.accounts.has(accountId) || assumeDenied.has(accountId)) throw deny();
    const duration = Number(p.optional('DurationSeconds') ?? '3600');
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secret = randomBytes(30).toString('base64');
    const token = randomBytes(48).toString('base64');
    const expires = new Date(now().getTime() + duration * 1000);
    sessions.set(accessKeyId, { secret, token, accountId, role: roleName, expires });
    return {
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secret, SessionToken: token, Expiration: expires.toISOString() },
      AssumedRoleUser: { AssumedRoleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}:${sessionName}`, Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}` },
    };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let service: StandInCall['service'] = 'iam';
        let call: StandInCall | undefined;
        try {
          const scope = signedScope(req.headers);
          if (scope.service !== 'iam' && scope.service !== 'sts' && scope.service !== 'organizations') throw new AwsFault(400, 'InvalidAction', `service ${scope.service} is not served here`);
          service = scope.service;
          const session = sessions.get(scope.accessKeyId);
          if (!session || session.token !== scope.securityToken) throw new SignatureRefusal('InvalidClientTokenId', 'The security token included in the request is invalid.');
          verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, session.secret, now());
          if (session.expires && session.expires <= now()) throw new AwsFault(403, 'ExpiredToken', 'The security token included in the request is expired');
          if (service === 'organizations') {
            const target = String(req.headers['x-amz-target'] ?? '');
            const op = target.startsWith('AWSOrganizationsV20161128.') ? target.slice('AWSOrganizationsV20161128.'.length) : '';
            call = { service, action: op, accountId: session.accountId };
            calls.push(call);
            if (session.accountId !== managementAccountId) throw new AwsFault(400, 'AWSOrganizationsNotInUseException', 'only the management account may read the organization');
            const fault = injected(call);
            if (fault) throw fault;
            await held(call);
            const out = organization.handle(op, body.length ? JSON.parse(body.toString('utf8')) : {});
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
            return;
          }
          const p = new QueryParams(new URLSearchParams(body.toString('utf8')));
          call = { service, action: p.action, accountId: session.accountId };
          calls.push(call);
          const fault = injected(call);
          if (fault) throw fault;
          await held(call);
          let result: Record<string, unknown> | null;
          if (service === 'sts') {
            if (p.action !== 'AssumeRole') throw new AwsFault(400, 'InvalidAction', `Could not find operation ${p.action}`);
            result = assumeRole(session, p);
          } else {
            if (session.role !== undefined && iamDenied.has(session.accountId)) {
              throw accessDenied(`User: arn:aws:sts::${session.accountId}:assumed-role/${session.role}/gatehouse is not authorized to perform: iam:${p.action}`);
            }
            result = iamHandlers.handle(iamOf(session.accountId), p);
          }
          res.writeHead(200, { 'content-type': 'text/xml' }).end(resultXml(p.action, service === 'sts' ? STS_NS : IAM_NS, result as never));
        } catch (e) {
          const fault =
            e instanceof AwsFault ? e
            : e instanceof SignatureRefusal ? new AwsFault(403, e.code, e.message)
            : e instanceof QueryInputError ? new AwsFault(400, 'ValidationError', e.message)
            : new AwsFault(500, service === 'organizations' ? 'ServiceException' : 'ServiceFailure', String(e));
          if (call) call.error = fault.code;
          if (service === 'organizations') {
            const type = fault.code === 'AccessDenied' ? 'AccessDeniedException' : fault.code === 'Throttling' ? 'TooManyRequestsException' : fault.code;
            res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: type, Message: fault.message }));
          } else {
            res.writeHead(fault.status, { 'content-type': 'text/xml' }).end(errorXml(service === 'sts' ? STS_NS : IAM_NS, fault.code, fault.message, fault.status));
          }
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    managementAccountId,
    organization,
    accessRoleName,
    calls,
    iam: iamOf,
    addAccount(a) {
      organization.accounts.set(a.id, { status: 'ACTIVE', parentId: organization.rootId, ...a });
    },
    addUnit(u) {
      organization.units.set(u.id, { parentId: organization.rootId, ...u });
    },
    fail(rule) {
      faults.push({ ...rule, left: rule.times ?? 1 });
    },
    denyAssume(accountId, denied = true) {
      if (denied) assumeDenied.add(accountId);
      else assumeDenied.delete(accountId);
    },
    denyIam(accountId, denied = true) {
      if (denied) iamDenied.add(accountId);
      else iamDenied.delete(accountId);
    },
    hold(action, accountId) {
      let arrived!: () => void;
      let open!: () => void;
      const reached = new Promise<void>((r) => (arrived = r));
      const gate = new Promise<void>((r) => (open = r));
      const h = { action, accountId, arrived, gate, open: false };
      holds.push(h);
      return {
        reached,
        release() {
          h.open = true;
          open();
        },
      };
    },
    async close() {
      for (const h of holds) h.open = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
