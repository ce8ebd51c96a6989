// The IAM policy grammar check behind the console's policy editor: JSON first, then the shape of
// an IAM policy document (IAM User Guide, "IAM JSON policy elements reference": Version,
// Statement, Sid, Effect, Action/NotAction, Resource/NotResource, Principal/NotPrincipal,
// Condition), then the permission set's size limit (sso-admin PutInlinePolicyToPermissionSet:
// 32768 bytes). Each problem names where it is, so the editor can show it next to the field.
import { MAX_INLINE_POLICY_BYTES } from '../permission-sets.ts';

export interface PolicyCheck {
  ok: boolean;
  /** Human-readable problems, each with a JSON path such as Statement[1].Effect. */
  problems: string[];
  bytes: number;
  maxBytes: number;
  statements: number;
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const SID = /^[A-Za-z0-9]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringOrStrings = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));

export function checkPolicy(text: string): PolicyCheck {
  const bytes = Buffer.byteLength(text, 'utf8');
  const result: PolicyCheck = { ok: false, problems: [], bytes, maxBytes: MAX_INLINE_POLICY_BYTES, statements: 0 };
  const problems = result.problems;
  if (bytes > MAX_INLINE_POLICY_BYTES) problems.push(`The policy is ${bytes} bytes; a permission set's inline policy may have at most ${MAX_INLINE_POLICY_BYTES}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    problems.push(`Not valid JSON: ${(e as Error).message}`);
    return result;
  }
  if (!isObject(doc)) {
    problems.push('The policy must be a JSON object with Version and Statement.');
    return result;
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id') problems.push(`Unknown top-level element ${key} (only Version, Id and Statement).`);
  }
  if (doc.Version === undefined) problems.push('Version is missing (use "2012-10-17").');
  else if (typeof doc.Version !== 'string' || !VERSIONS.includes(doc.Version)) problems.push(`Version must be "2012-10-17" (or the older "2008-10-17").`);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? null : [doc.Statement];
  if (!statements) problems.push('Statement is missing.');
  else if (statements.length === 0) problems.push('Statement must hold at least one statement.');
  const sids = new Set<string>();
  (statements ?? []).forEach((s: unknown, i: number) => {
    const at = `Statement[${i}]`;
    if (!isObject(s)) {
      problems.push(`${at} must be an object.`);
      return;
    }
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) problems.push(`${at} has an unknown element ${key}.`);
    if (s.Sid !== undefined) {
      if (typeof s.Sid !== 'string' || !SID.test(s.Sid)) problems.push(`${at}.Sid may hold only letters and digits.`);
      else if (sids.has(s.Sid)) problems.push(`${at}.Sid ${s.Sid} is used by another statement.`);
      else sids.add(s.Sid);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') problems.push(`${at}.Effect must be "Allow" or "Deny".`);
    pair(s, 'Action', 'NotAction', at, problems, (v) => v === '*' || ACTION.test(v), 'service:Action, such as s3:GetObject (wildcards * and ? allowed)');
    pair(s, 'Resource', 'NotResource', at, problems, (v) => v === '*' || v.startsWith('arn:'), 'an ARN or *');
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) problems.push(`${at}: a permission set's policy is an identity policy; it takes no Principal or NotPrincipal.`);
    if (s.Condition !== undefined) {
      if (!isObject(s.Condition)) problems.push(`${at}.Condition must be an object of operators.`);
      else {
        for (const [operator, block] of Object.entries(s.Condition)) {
          if (!isObject(block)) problems.push(`${at}.Condition.${operator} must be an object of condition keys.`);
          else for (const [key, value] of Object.entries(block)) {
            const fine = ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((x) => ['string', 'number', 'boolean'].includes(typeof x)));
            if (!fine) problems.push(`${at}.Condition.${operator}.${key} must be a value or a list of values.`);
          }
        }
      }
    }
  });
  result.statements = statements?.length ?? 0;
  result.ok = problems.length === 0;
  return result;
}

function pair(s: Record<string, unknown>, yes: string, no: string, at: string, problems: string[], valid: (v: string) => boolean, what: string): void {
  if (s[yes] !== undefined && s[no] !== undefined) problems.push(`${at} has both ${yes} and ${no}; use one.`);
  else if (s[yes] === undefined && s[no] === undefined) problems.push(`${at} needs ${yes} or ${no}.`);
  const key = s[yes] !== undefined ? yes : no;
  const value = s[key];
  if (value === undefined) return;
  if (!stringOrStrings(value)) {
    problems.push(`${at}.${key} must be a string or a non-empty list of strings.`);
    return;
  }
  for (const v of typeof value === 'string' ? [value] : (value as string[])) {
    if (!valid(v)) problems.push(`${at}.${key} ${JSON.stringify(v)} is not ${what}.`);
  }
}
