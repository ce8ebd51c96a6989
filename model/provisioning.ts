// Provisioning records (docs/provisioning.md): what Gatehouse last put in each account, and the
// jobs that put it there (sso-admin ProvisionPermissionSet / PermissionSetProvisioningStatus).

export type ProvisioningJobStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface ProvisioningJob {
  /** A UUID (the RequestId of PermissionSetProvisioningStatus). */
  id: string;
  accountId: string;
  /** The permission set the request named, or null for the whole account. */
  permissionSetId: string | null;
  /** What started it: 'assignment', 'edit', 'request', 'apply', 'resume' … */
  trigger: string;
  status: ProvisioningJobStatus;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** While IN_PROGRESS: the node running it renews this; past it, the job counts as interrupted. */
  leaseExpiresAt: Date | null;
}

/** One role Gatehouse provisioned: the permission set version it reflects. */
export interface ProvisionedRole {
  accountId: string;
  permissionSetId: string;
  roleName: string;
  roleArn: string;
  version: number;
  provisionedAt: Date;
}

/** The SAML provider Gatehouse provisioned in an account, and which metadata it carries. */
export interface ProvisionedProvider {
  accountId: string;
  name: string;
  arn: string;
  metadataSha256: string;
  provisionedAt: Date;
}

/** An account as AWS Organizations last described it; REMOVED: no longer in the organization. */
export interface OrganizationAccount {
  accountId: string;
  /** OU names from the root, e.g. `/Root/Workloads/Prod`. */
  ouPath: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'REMOVED';
  importedAt: Date;
}

/** An assignment to every current and future account of an OU (and the OUs under it). */
export interface OuAssignment {
  id: string;
  /** As in OrganizationAccount.ouPath, e.g. `/Root/Workloads`. */
  ouPath: string;
  permissionSetId: string;
  principalType: 'USER' | 'GROUP';
  principalId: string;
  createdAt: Date;
}
