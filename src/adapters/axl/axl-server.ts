/**
 * The AXL SOAP facade server: node-soap (serverless `soap.listen(null, …)` over our `wsdl/`) behind
 * our own HTTPS/HTTP listener at `/axl/`.
 *
 * Rule 1: HTTP Basic auth on every request against the configured application users; failure is a
 *         401 with an empty body (real clients choke on HTML), never data.
 * Rule 2: any AXL version 11.0–15.0 is accepted: the payload namespace and SOAPAction are rewritten
 *         to 14.0 before node-soap parses, and the response namespace back to the client's version.
 * Rule 3: malformed XML, a non-SOAP body or an unknown operation gets a clean SOAP Fault (HTTP 500)
 *         with `axlError`, and never reaches the store.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import soap from 'soap';
import { parseStringPromise } from 'xml2js';
import type { Directory } from '../../core/index.js';
import type { DirectoryStore } from '../../core/ports/index.js';
import { AXL_OPERATIONS, createAxlOperations } from './axl-operations.js';
import { escapeXml } from './axl-xml.js';
import { loadOrCreateCertificate, type TlsMaterial } from './self-signed-cert.js';
import { AXL_ERROR } from './errors.js';

export interface AxlUser {
  readonly username: string;
  readonly password: string;
}

export interface AxlServerOptions {
  readonly store: DirectoryStore;
  /** the effective (files + store) directory, for read-only checks and references */
  readonly getDirectory: () => Directory;
  /** called after every successful write */
  readonly onChanged?: () => void;
  /** application users allowed in (sample: axladmin / secret) */
  readonly users: readonly AxlUser[];
  /** default 8443; 0 picks a free port */
  readonly port?: number;
  /** default 0.0.0.0 */
  readonly host?: string;
  /** 'self-signed' (default): generated, cached in `certDir` when given; false: plain HTTP (tests) */
  readonly tls?: false | 'self-signed' | TlsMaterial;
  readonly certDir?: string;
  readonly ccmVersion?: string;
  /** request body limit in bytes (default 8 MiB) */
  readonly maxBodyBytes?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, meta?: Record<string, unknown>) => void;
}

export interface AxlServer {
  readonly port: number;
  /** e.g. https://127.0.0.1:8443/axl/ */
  readonly url: string;
  close(): Promise<void>;
}

const WSDL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'wsdl');
const AXL_NS = /http:\/\/www\.cisco\.com\/AXL\/API\/(\d+\.\d+)/g;
const SUPPORTED = new Set(['11.0', '11.5', '12.0', '12.5', '14.0', '15.0']);
const OPERATIONS = new Set(AXL_OPERATIONS);

function faultEnvelope(code: number, message: string, request: string, faultcode = 'soapenv:Client'): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    `<soapenv:Body><soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    `<detail><axlError><axlcode>${code}</axlcode><axlmessage>${escapeXml(message)}</axlmessage>` +
    `<request>${escapeXml(request)}</request></axlError></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

function authorized(req: IncomingMessage, users: readonly AxlUser[]): boolean {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return false;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const name = Buffer.from(decoded.slice(0, colon));
  const pass = Buffer.from(decoded.slice(colon + 1));
  const same = (a: Buffer, b: string) => {
    const bb = Buffer.from(b);
    return a.length === bb.length && timingSafeEqual(a, bb);
  };
  return users.some((u) => same(name, u.username) && same(pass, u.password));
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The operation element in the SOAP Body: its local name and AXL version, or an error text. */
async function inspectEnvelope(xml: string): Promise<{ op: string; version: string } | { error: string }> {
  let doc: Record<string, unknown>;
  try {
    doc = (await parseStringPromise(xml, { explicitArray: true, xmlns: true })) as Record<string, unknown>;
  } catch (e) {
    return { error: `malformed XML: ${(e as Error).message.split('\n')[0]}` };
  }
  const env = Object.values(doc)[0] as Record<string, unknown> | undefined;
  const bodyKey = env && Object.keys(env).find((k) => k.replace(/^.*:/, '') === 'Body');
  const body = bodyKey ? (env![bodyKey] as Record<string, unknown>[])[0] : undefined;
  const opKey = body && typeof body === 'object' ? Object.keys(body).find((k) => k !== '$' && k !== '$ns') : undefined;
  if (!opKey) return { error: 'not a SOAP envelope with a Body element' };
  const opEl = (body![opKey] as { $ns?: { local: string; uri: string } }[])[0];
  const local = opEl?.$ns?.local ?? opKey.replace(/^.*:/, '');
  const uri = opEl?.$ns?.uri ?? '';
  const m = /^http:\/\/www\.cisco\.com\/AXL\/API\/(\d+\.\d+)$/.exec(uri);
  if (!m) return { error: `operation ${local} is not in an AXL namespace (${uri || 'none'})` };
  if (!SUPPORTED.has(m[1]!)) return { error: `AXL version ${m[1]} is not supported (11.0, 11.5, 12.0, 12.5, 14.0, 15.0)` };
  return { op: local, version: m[1]! };
}

/** Starts the facade; resolves once it listens. */
export async function startAxlServer(opts: AxlServerOptions): Promise<AxlServer> {
  const log = opts.log ?? (() => undefined);
  const services = {
    AXLAPIService: {
      AXLPort: createAxlOperations({
        store: opts.store,
        getDirectory: opts.getDirectory,
        onChanged: opts.onChanged ?? (() => undefined),
        ccmVersion: opts.ccmVersion ?? '14.0.1.13900-155',
      }),
    },
  };
  const wsdlPath = join(WSDL_DIR, 'AXLAPI.wsdl');
  const wsdlXml = readFileSync(wsdlPath, 'utf8');
  const soapServer = await new Promise<soap.Server>((resolve, reject) => {
    soap.listen(null as unknown as Server, {
      path: '/axl/',
      services,
      xml: wsdlXml,
      uri: wsdlPath,
      envelopeKey: 'soapenv',
      callback: (err: unknown, s: soap.Server) => (err ? reject(err as Error) : resolve(s)),
    } as unknown as soap.IServerOptions);
  });

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!/^\/axl\/?$/.test(url.pathname)) return send(res, 404, '');
    if (!authorized(req, opts.users)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="AXL"', 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (req.method === 'GET') return send(res, 200, url.search.toLowerCase().startsWith('?wsdl') ? wsdlXml : '');
    if (req.method !== 'POST') return send(res, 405, '');
    const xml = await readBody(req, opts.maxBodyBytes ?? 8 * 1024 * 1024);
    if (xml === undefined) return send(res, 413, '');
    const info = await inspectEnvelope(xml);
    if ('error' in info) return send(res, 500, faultEnvelope(AXL_ERROR.malformed, info.error, ''));
    if (!OPERATIONS.has(info.op)) {
      return send(res, 500, faultEnvelope(AXL_ERROR.unknownOperation, `operation ${info.op} is not supported by this AXL facade`, info.op));
    }
    const rewritten = info.version === '14.0' ? xml : xml.replace(AXL_NS, 'http://www.cisco.com/AXL/API/14.0');
    const out = await soapServer.processRequest(rewritten, {
      headers: { soapaction: `"CUCM:DB ver=14.0 ${info.op}"`, 'content-type': 'text/xml; charset=utf-8' },
    });
    const body = info.version === '14.0' ? out.body : out.body.replace(AXL_NS, `http://www.cisco.com/AXL/API/${info.version}`);
    if (out.statusCode >= 400) log('warn', 'axl fault', { op: info.op, status: out.statusCode });
    send(res, out.statusCode, body);
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      log('error', 'axl request failed', { error: (err as Error).message });
      if (!res.headersSent) send(res, 500, faultEnvelope(-1, 'internal error', '', 'soapenv:Server'));
      else res.destroy();
    });
  };
  const tls = opts.tls ?? 'self-signed';
  const server: Server =
    tls === false
      ? createHttpServer(listener)
      : createHttpsServer(tls === 'self-signed' ? loadOrCreateCertificate(opts.certDir) : tls, listener);
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8443, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  log('info', 'axl facade listening', { port, tls: tls !== false });
  return {
    port,
    url: `${tls === false ? 'http' : 'https'}://${shownHost}:${port}/axl/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
