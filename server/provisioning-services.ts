// Builds provisioning (docs/provisioning.md) from the configuration: the driver it names, the IdP
// metadata each account's SAML provider carries, and the hooks that start jobs by themselves.
import { AwsDriver } from '../access/provisioning/drivers/aws-driver.ts';
import { ExportDriver } from '../access/provisioning/drivers/export-driver.ts';
import { AwsOrganizationReader } from '../access/provisioning/drivers/aws-organizations.ts';
import type { ProvisioningDriver } from '../access/provisioning/driver.ts';
import { ProvisioningService } from '../access/provisioning/provisioning-service.ts';
import type { Backoff } from '../access/provisioning/drivers/throttling.ts';
import { publishedKeys, type SigningKeyring } from '../access/signing-keys/keyring.ts';
import { buildIdpMetadata } from '../idp/saml/metadata.ts';
import type { SqlStores } from '../store/stores.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/** What only tests choose: Gatehouse's own AWS credentials (else the configuration's, else the SDK's chain), the backoff's sleep, the clock. */
export interface ProvisioningTestOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  backoff?: Backoff;
  now?: () => Date;
}

export function provisioningDriver(config: Config, options: ProvisioningTestOptions = {}): ProvisioningDriver | null {
  const p = config.provisioning;
  const credentials = options.credentials ?? p.credentials ?? undefined;
  if (p.driver === 'export') return new ExportDriver(p.exportDir);
  if (p.driver === 'aws') {
    return new AwsDriver({
      region: p.region,
      iamEndpoint: p.iamEndpoint,
      stsEndpoint: p.stsEndpoint,
      accessRoleName: p.accessRoleName,
      credentials,
      backoff: options.backoff,
      now: options.now,
    });
  }
  return null;
}

export function buildProvisioning(config: Config, sql: SqlStores, keyring: SigningKeyring, logger: Logger, options: ProvisioningTestOptions = {}): ProvisioningService {
  // The metadata every provider carries: the published certificates (current, next, previous),
  // so a staged key reaches every account before it signs (docs/operations.md, key rollover).
  let built: { version: string; xml: string } | null = null;
  const metadata = async () => {
    const keys = await keyring.fresh();
    if (built?.version !== keys.version) built = { version: keys.version, xml: buildIdpMetadata({ baseUrl: config.baseUrl, signingCertificates: publishedKeys(keys).map((k) => k.certificateDer) }) };
    return built.xml;
  };
  const log = logger.child({ component: 'provisioning' });
  return new ProvisioningService({
    stores: sql,
    driver: provisioningDriver(config, options),
    metadata,
    organization:
      config.provisioning.driver === 'aws'
        ? new AwsOrganizationReader({ region: config.provisioning.region, endpoint: config.provisioning.organizationsEndpoint, credentials: options.credentials ?? config.provisioning.credentials ?? undefined, backoff: options.backoff })
        : null,
    defaultSignInEndpoint: config.defaultSignInEndpoint,
    now: options.now ?? (() => new Date()),
    leaseMs: config.provisioning.leaseSeconds * 1000,
    onError: (err, context) => log.warn({ err, ...context }, 'provisioning failed'),
  });
}
