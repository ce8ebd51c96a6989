// Reading the JSON members of SSO OIDC requests. The wire shapes are untyped JSON, so each member
// is checked here with the error code the AWS model gives for it (docs/aws-cli.md), and length caps
// keep attacker-sized values out of the store.
import { OAuthError, type OAuthErrorCode } from './oauth-errors.ts';

export type Body = Record<string, unknown>;

export function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OAuthError('invalid_request', 'The request body must be a JSON object');
  return value as Body;
}

export function requiredString(body: Body, name: string, max: number, code: OAuthErrorCode = 'invalid_request'): string {
  const value = body[name];
  if (value === undefined || value === null || value === '') throw new OAuthError('invalid_request', `${name} is required`);
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be a string`);
  if (value.length > max) throw new OAuthError(code, `${name} must be at most ${max} characters`);
  return value;
}

export function optionalString(body: Body, name: string, max: number, code: OAuthErrorCode = 'invalid_request'): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  return requiredString(body, name, max, code);
}

export function optionalStringList(body: Body, name: string, maxItems: number, maxLength: number, code: OAuthErrorCode = 'invalid_request'): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new OAuthError('invalid_request', `${name} must be a list of strings`);
  if (value.length > maxItems) throw new OAuthError(code, `${name} may have at most ${maxItems} entries`);
  if ((value as string[]).some((v) => v.length === 0 || v.length > maxLength)) throw new OAuthError(code, `each of ${name} must be 1 to ${maxLength} characters`);
  return [...new Set(value as string[])];
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
