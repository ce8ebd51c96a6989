// The STS AssumeRoleWithSAML client against small local servers: the request it sends, the XML it
// accepts, and every way an answer can be wrong becoming a typed error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { StsClient } from '../../idp/sts/sts-client.ts';
import { StsRefusedError, StsThrottledError, StsUnavailableError } from '../../idp/sts/sts-errors.ts';
import { parseAssumeRoleWithSamlResponse, parseStsErrorBody, StsResponseFormatError } from '../../idp/sts/sts-response.ts';
import { ForbiddenError, ThrottledError, UnavailableError, ValidationError } from '../../model/errors.ts';
import { errorResponseXml, STS_NS } from '../support/sts-standin.ts';

const ROLE = 'arn:aws:iam::111122223333:role/gatehouse/Gatehouse_ReadOnly_0123456789abcdef';
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/Gatehouse';
const request = { roleArn: ROLE, principalArn: PROVIDER, samlAssertion: Buffer.from('<samlp:Response/>').toString('base64'), durationSeconds: 3600 };

const success = (o: { accessKeyId?: string; secret?: string; token?: string; expiration?: string } = {}) =>
  `<AssumeRoleWithSAMLResponse xmlns="${STS_NS}"><AssumeRoleWithSAMLResult><Credentials>` +
  `<AccessKeyId>${o.accessKeyId ?? 'ASIAV3ZUEFP6EXAMPLE'}</AccessKeyId><SecretAccessKey>${o.secret ?? '8P+SQvWIuLnKhh8d++jpw0nNmQRBZvNEXAMPLEKEY'}</SecretAccessKey>` +
  `<SessionToken>${o.token ?? 'IQoJb3JpZ2luX2VjEOz////////////wEXAMPLEtMSJHMEUCIDoKK3JH9uG'}</SessionToken><Expiration>${o.expiration ?? new Date(Date.now() + 3600_000).toISOString()}</Expiration>` +
  `</Credentials><AssumedRoleUser><AssumedRoleId>ARO456EXAMPLE789:alice</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/x/alice</Arn></AssumedRoleUser>` +
  `</AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>`;

interface Seen {
  method: string;
  url: string;
  contentType: string;
  form: URLSearchParams;
}

async function server(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'] ?? '', form: new URLSearchParams(body) });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    },
  };
}

async function outcome(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('STS AssumeRoleWithSAML client', () => {
  const servers: { close(): Promise<void> }[] = [];
  const start = async (answer: Parameters<typeof server>[0]) => {
    const s = await server(answer);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('POSTs the query-protocol form to the endpoint and reads the credentials', async () => {
    const sts = await start((_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(success()));
    const creds = await new StsClient({ endpoint: `${sts.url}/`, timeoutMs: 1000 }).assumeRoleWithSaml(request);
    expect(creds.accessKeyId).to.equal('ASIAV3ZUEFP6EXAMPLE');
    expect(creds.secretAccessKey).to.equal('8P+SQvWIuLnKhh8d++jpw0nNmQRBZvNEXAMPLEKEY');
    expect(creds.expiration.getTime()).to.be.above(Date.now());
    const [call] = sts.seen;
    expect(call!.method).to.equal('POST');
    expect(call!.url).to.equal('/');
    expect(call!.contentType).to.match(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(call!.form)).to.deep.equal({
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: request.samlAssertion,
      DurationSeconds: '3600',
    });
  });

  it('refuses a DurationSeconds STS would refuse, without calling it', async () => {
    const sts = await start((_req, res) => res.end(success()));
    for (const durationSeconds of [899, 43201, 3600.5]) {
      const e = await outcome(new StsClient({ endpoint: sts.url, timeoutMs: 1000 }).assumeRoleWithSaml({ ...request, durationSeconds }));
      expect(e).to.be.instanceOf(ValidationError);
    }
    expect(sts.seen).to.have.length(0);
  });

  it('turns ErrorResponse codes into refusals, throttling or unavailability', async () => {
    const cases: [number, string, new (...a: never[]) => Error][] = [
      [403, 'AccessDenied', StsRefusedError],
      [400, 'InvalidIdentityToken', StsRefusedError],
      [400, 'ExpiredTokenException', StsRefusedError],
      [403, 'IDPRejectedClaim', StsRefusedError],
      [403, 'RegionDisabledException', StsRefusedError],
      [400, 'Throttling', StsThrottledError],
      [503, 'ServiceUnavailable', StsUnavailableError],
    ];
    for (const [status, code, type] of cases) {
      const sts = await start((_req, res) => res.writeHead(status, { 'content-type': 'text/xml' }).end(errorResponseXml(code, `why ${code}`)));
      const e = await outcome(new StsClient({ endpoint: sts.url, timeoutMs: 1000 }).assumeRoleWithSaml(request));
      expect(e, code).to.be.instanceOf(type);
      if (e instanceof StsRefusedError) {
        expect(e).to.be.instanceOf(ForbiddenError);
        expect(e.code).to.equal(code);
        expect(e.message).to.include(`${code}: why ${code}`).and.include('Gatehouse_ReadOnly_0123456789abcdef').and.include('111122223333');
      }
      if (e instanceof StsThrottledError) expect(e).to.be.instanceOf(ThrottledError);
      if (e instanceof StsUnavailableError) expect(e).to.be.instanceOf(UnavailableError);
    }
  });

  it('does not follow redirects, and bounds the answer in size and time', async () => {
    const elsewhere = await start((_req, res) => res.end(success()));
    const redirecting = await start((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/` }).end());
    const huge = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleWithSAMLResponse xmlns="${STS_NS}">${'x'.repeat(200 * 1024)}</AssumeRoleWithSAMLResponse>`);
    });
    const slowBody = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<AssumeRoleWithSAMLResponse');
    });
    const e1 = await outcome(new StsClient({ endpoint: redirecting.url, timeoutMs: 1000 }).assumeRoleWithSaml(request));
    expect(e1).to.be.instanceOf(StsUnavailableError);
    expect(elsewhere.seen).to.have.length(0);
    const e2 = await outcome(new StsClient({ endpoint: huge.url, timeoutMs: 1000 }).assumeRoleWithSaml(request));
    expect(e2).to.be.instanceOf(StsUnavailableError);
    expect(e2.message).to.match(/larger than 65536 bytes/);
    const started = Date.now();
    const e3 = await outcome(new StsClient({ endpoint: slowBody.url, timeoutMs: 300 }).assumeRoleWithSaml(request));
    expect(e3).to.be.instanceOf(StsUnavailableError);
    expect(e3.message).to.match(/no answer within 300 ms/);
    expect(Date.now() - started).to.be.below(1500);
  });

  describe('response parsing', () => {
    it('reads the STS example and refuses anything that is not exactly that shape', () => {
      expect(parseAssumeRoleWithSamlResponse(success()).accessKeyId).to.equal('ASIAV3ZUEFP6EXAMPLE');
      const bad = [
        success().replace(STS_NS, 'https://sts.amazonaws.com/doc/2099-01-01/'),
        success().replace('<Credentials>', '<Credentials><AccessKeyId>ASIAOTHEROTHEROTHER</AccessKeyId>'),
        success({ accessKeyId: 'ASIA"; rm -rf / #' }),
        success({ secret: 'abc$(whoami)' }),
        success({ token: 'abc\ndef' }),
        success({ expiration: 'tomorrow' }),
        success({ expiration: new Date(Date.now() - 1000).toISOString() }),
        `<!DOCTYPE x [<!ENTITY e "ASIAV3ZUEFP6EXAMPLE">]>${success({ accessKeyId: '&e;' })}`,
        success().replace('<AssumeRoleWithSAMLResult>', '<AssumeRoleWithSAMLResult><!-- c -->'),
        'not xml',
      ];
      for (const xml of bad) expect(() => parseAssumeRoleWithSamlResponse(xml), xml.slice(0, 80)).to.throw(StsResponseFormatError);
    });

    it('reads ErrorResponse with or without the STS namespace; anything else is not one', () => {
      expect(parseStsErrorBody(errorResponseXml('AccessDenied', 'Not authorized\nto perform'))).to.deep.equal({ code: 'AccessDenied', message: 'Not authorized to perform' });
      expect(parseStsErrorBody('<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>')).to.deep.equal({
        code: 'Throttling',
        message: 'Rate exceeded',
      });
      for (const xml of ['', '<html/>', '<ErrorResponse><Error><Code>bad code!</Code></Error></ErrorResponse>', '<ErrorResponse/>']) {
        expect(parseStsErrorBody(xml)).to.equal(null);
      }
    });
  });
});
