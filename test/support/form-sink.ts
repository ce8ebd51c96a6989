// A local stand-in for a SAML endpoint (the AWS sign-in page, an app's ACS): records what a
// browser form-POSTs to it and answers with a small page.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FormSink {
  url: string;
  received: Record<string, string>[];
  next(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startFormSink(pathName = '/saml'): Promise<FormSink> {
  const received: Record<string, string>[] = [];
  const waiters: ((f: Record<string, string>) => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === pathName) {
        const fields = Object.fromEntries(new URLSearchParams(body));
        received.push(fields);
        waiters.shift()?.(fields);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Signed in</title><h1>Signed in to the stand-in</h1>');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${pathName}`,
    received,
    next: () => (received.length > waiters.length ? Promise.resolve(received[waiters.length]!) : new Promise((r) => waiters.push(r))),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
