// Shared by the applications tests: SP metadata documents (built by test/idp/inbound-fixtures.ts,
// keys made with openssl), a raw metadata upload, and a local HTTP server that serves metadata and
// records every connection and request, so a test can prove that a refused URL was never contacted.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestGatehouse } from '../support/gatehouse.ts';
import { rsaKey, spMetadataXml, type MetadataFields, type TestKey } from '../idp/inbound-fixtures.ts';

export const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export const hex = (n = 4) => randomBytes(n).toString('hex');
export const uniqueEntityId = () => `https://sp-${hex()}.example.com/saml/metadata`;

export interface Keys {
  sp: TestKey;
  next: TestKey;
  weak: TestKey;
}

export async function keys(): Promise<Keys> {
  const [sp, next, weak] = await Promise.all([rsaKey('sp'), rsaKey('sp-next'), rsaKey('weak')]);
  return { sp, next, weak };
}

/** A valid SP metadata document for `entityId`, signing with `signing` and encrypting to `encryption`. */
export function metadata(entityId: string, signing: TestKey | null, encryption: TestKey | null, more: MetadataFields = {}): string {
  const host = new URL(entityId).host;
  return spMetadataXml({
    entityId,
    acs: [
      { url: `https://${host}/saml/acs`, index: 0, isDefault: true },
      { url: `https://${host}/saml/acs-redirect`, binding: REDIRECT, index: 1 },
    ],
    slo: { url: `https://${host}/saml/slo` },
    ...(signing ? { signingCertDer: signing.certDer } : {}),
    ...(encryption ? { encryptionCertDer: encryption.certDer } : {}),
    ...more,
  });
}

/** POST /api/v1/applications with the document itself as the body. */
export async function uploadRaw(gh: TestGatehouse, body: string, query: string, contentType = 'application/samlmetadata+xml') {
  const res = await fetch(`${gh.baseUrl}/api/v1/applications${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await gh.adminToken()}`, 'content-type': contentType },
    body,
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** An HTTP server on a loopback address whose answers a test sets per path. */
export class MetadataServer {
  readonly requests: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  connections = 0;
  private readonly routes = new Map<string, Handler>();
  private readonly sockets = new Set<Socket>();
  private server!: http.Server;
  host = '127.0.0.1';
  port = 0;

  static async start(host = '127.0.0.1'): Promise<MetadataServer> {
    const s = new MetadataServer();
    s.host = host;
    s.server = http.createServer((req, res) => {
      s.requests.push({ path: req.url ?? '', headers: req.headers });
      const handler = s.routes.get((req.url ?? '').split('?')[0]!);
      if (handler) handler(req, res);
      else res.writeHead(404).end('not here');
    });
    s.server.on('connection', (socket: Socket) => {
      s.connections += 1;
      s.sockets.add(socket);
      socket.on('close', () => s.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => s.server.listen(0, host, () => resolve()));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** The URL of `path` here (http: Gatehouse allows plain http to 127.0.0.1 only). */
  url(path: string): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  on(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  serve(path: string, body: string, contentType = 'application/samlmetadata+xml'): void {
    this.on(path, (_req, res) => res.writeHead(200, { 'content-type': contentType }).end(body));
  }

  hits(path: string): number {
    return this.requests.filter((r) => r.path.split('?')[0] === path).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Seconds between two ISO dates (or Dates). */
export const secondsBetween = (from: string | Date, to: string | Date) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;
