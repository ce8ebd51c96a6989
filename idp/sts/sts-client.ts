// STS AssumeRoleWithSAML over HTTP (docs/aws-accounts.md): an unsigned form POST of
// Action, Version=2011-06-15, RoleArn, PrincipalArn, SAMLAssertion and DurationSeconds to the
// configured endpoint (https://sts.amazonaws.com by default; a regional or partition endpoint
// such as https://sts.eu-west-1.amazonaws.com or https://sts.amazonaws.com.cn through STS_ENDPOINT).
//
// Every outcome is typed (sts-errors.ts): credentials, a refusal carrying STS's code, throttling,
// or "unavailable" for timeouts, network failures, 5xx and unreadable answers. The call is bounded
// in time (one deadline covers connect, request and the whole body) and in size; redirects are not
// followed (STS never redirects, and a redirect must not send an assertion anywhere else).
import { ValidationError } from '../../model/errors.ts';
import { StsRefusedError, StsThrottledError, StsUnavailableError, THROTTLING_CODES } from './sts-errors.ts';
import { parseAssumeRoleWithSamlResponse, parseStsErrorBody, StsResponseFormatError, type StsCredentials } from './sts-response.ts';

export type { StsCredentials } from './sts-response.ts';

export const STS_API_VERSION = '2011-06-15';
/** STS DurationSeconds bounds for AssumeRoleWithSAML. */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface AssumeRoleWithSamlRequest {
  roleArn: string;
  principalArn: string;
  /** base64 of the signed samlp:Response, naming exactly this one role pair. */
  samlAssertion: string;
  /** The permission set's session duration, 900..43200. */
  durationSeconds: number;
}

/** What the credential use case needs from STS; tests and benches may hand in their own. */
export interface RoleCredentialBroker {
  assumeRoleWithSaml(request: AssumeRoleWithSamlRequest): Promise<StsCredentials>;
}

export interface StsClientOptions {
  /** e.g. https://sts.amazonaws.com (no trailing slash needed). */
  endpoint: string;
  /** Deadline for the whole exchange. */
  timeoutMs: number;
}

export class StsClient implements RoleCredentialBroker {
  readonly #url: string;

  constructor(private readonly options: StsClientOptions) {
    this.#url = `${options.endpoint.replace(/\/+$/, '')}/`;
  }

  async assumeRoleWithSaml(request: AssumeRoleWithSamlRequest): Promise<StsCredentials> {
    const d = request.durationSeconds;
    if (!Number.isInteger(d) || d < MIN_DURATION_SECONDS || d > MAX_DURATION_SECONDS) {
      throw new ValidationError(`DurationSeconds must be an integer from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`, [
        { field: 'durationSeconds', message: 'out of range' },
      ]);
    }
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithSAML',
      Version: STS_API_VERSION,
      RoleArn: request.roleArn,
      PrincipalArn: request.principalArn,
      SAMLAssertion: request.samlAssertion,
      DurationSeconds: String(d),
    });

    const timeoutMs = this.options.timeoutMs;
    let status: number;
    let text: string;
    try {
      const res = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'text/xml' },
        body: body.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await readBounded(res);
    } catch (e) {
      if (e instanceof StsUnavailableError) throw e;
      const name = (e as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new StsUnavailableError('timeout', `no answer within ${timeoutMs} ms`, { cause: e });
      const cause = (e as { cause?: { code?: string } }).cause;
      throw new StsUnavailableError('network', cause?.code ?? (e as Error).message, { cause: e });
    }

    if (status >= 200 && status < 300) {
      try {
        return parseAssumeRoleWithSamlResponse(text);
      } catch (e) {
        if (e instanceof StsResponseFormatError) throw new StsUnavailableError('bad-response', `unreadable answer: ${e.message}`, { cause: e });
        throw e;
      }
    }
    const error = parseStsErrorBody(text);
    if (status === 429 || (error && THROTTLING_CODES.has(error.code))) throw new StsThrottledError(error?.code ?? 'TooManyRequests', status);
    if (status >= 500) throw new StsUnavailableError('server-error', `HTTP ${status}${error ? ` ${error.code}` : ''}`);
    if (status >= 400 && error) throw new StsRefusedError(error.code, status, error.message, request);
    throw new StsUnavailableError('bad-response', `HTTP ${status} without an STS ErrorResponse`);
  }
}

/** The body as UTF-8 text, refused beyond MAX_RESPONSE_BYTES (STS answers are a few KB). */
async function readBounded(res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new StsUnavailableError('bad-response', `answer of ${declared} bytes; the limit is ${MAX_RESPONSE_BYTES}`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new StsUnavailableError('bad-response', `answer larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (e) {
    throw new StsUnavailableError('bad-response', 'answer is not UTF-8 text', { cause: e });
  }
}
