// The AWS Query protocol as IAM and STS speak it: form-encoded parameters in, XML out
// (AWS General Reference, "Query requests"; member lists as `Name.member.N`).
import { randomUUID } from 'node:crypto';
import { xmlEscape } from './errors.ts';

export type XmlValue = string | number | boolean | undefined | XmlValue[] | { [k: string]: XmlValue };

function render(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => `<member>${render(v)}</member>`).join('');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => (v === undefined ? '' : `<${k}>${render(v)}</${k}>`)).join('');
  return xmlEscape(String(value));
}

export function resultXml(action: string, namespace: string, result: Record<string, XmlValue> | null): string {
  const body = result === null ? '' : `<${action}Result>${render(result)}</${action}Result>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

export function errorXml(namespace: string, code: string, message: string, status: number): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/** Read access to a decoded Query form. */
export class QueryParams {
  constructor(private readonly form: URLSearchParams) {}

  get action(): string {
    return this.form.get('Action') ?? '';
  }

  optional(name: string): string | undefined {
    return this.form.get(name) ?? undefined;
  }

  required(name: string): string {
    const v = this.form.get(name);
    if (v === null || v === '') throw new QueryInputError(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
    return v;
  }

  /** `Name.member.1`, `Name.member.2`, … */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.form.has(`${name}.member.${i}`); i++) out.push(this.form.get(`${name}.member.${i}`)!);
    return out;
  }

  /** `Tags.member.N.Key` / `.Value`. */
  tags(name = 'Tags'): { Key: string; Value: string }[] {
    const out: { Key: string; Value: string }[] = [];
    for (let i = 1; this.form.has(`${name}.member.${i}.Key`); i++) out.push({ Key: this.form.get(`${name}.member.${i}.Key`)!, Value: this.form.get(`${name}.member.${i}.Value`) ?? '' });
    return out;
  }
}

export class QueryInputError extends Error {}
