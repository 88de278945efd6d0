/**
 * Raw AXL over HTTPS for tests: posts a canned envelope from `fixtures/axl/requests/` with the quoted
 * `SOAPAction: "CUCM:DB ver=14.0 <op>"` and Basic auth, as strict clients (zeep) do, and returns the
 * status and body untouched so tests can check element order and fault shape themselves.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parseStringPromise } from 'xml2js';

export interface AxlHttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The fixture's text; the operation is the element inside soap-env:Body. */
export function axlFixture(name: string): { xml: string; op: string } {
  const xml = readFileSync(`fixtures/axl/requests/${name}.xml`, 'utf8');
  const op = /<soap-env:Body><ns0:(\w+)/.exec(xml)?.[1];
  if (!op) throw new Error(`fixture ${name} has no operation element`);
  return { xml, op };
}

export function postAxl(url: string, xml: string, op: string, auth = 'axladmin:secret'): Promise<AxlHttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: `"CUCM:DB ver=14.0 ${op}"`,
          Authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`AXL ${op}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(xml);
  });
}

/** Posts a fixture by name. */
export function postAxlFixture(url: string, name: string, auth?: string): Promise<AxlHttpAnswer> {
  const { xml, op } = axlFixture(name);
  return postAxl(url, xml, op, auth);
}

/** An XML element with its children in document order (namespace prefixes stripped). */
export interface XmlNode {
  readonly name: string;
  readonly text: string;
  readonly children: readonly XmlNode[];
  readonly attrs: Readonly<Record<string, string>>;
}

export async function parseOrdered(xml: string): Promise<XmlNode> {
  const doc = (await parseStringPromise(xml, { explicitChildren: true, preserveChildrenOrder: true, explicitCharkey: true, charsAsChildren: false })) as Record<string, unknown>;
  const toNode = (name: string, raw: Record<string, unknown>): XmlNode => {
    const kids = (raw['$$'] as Array<Record<string, unknown> & { '#name': string }> | undefined) ?? [];
    return {
      name: name.replace(/^.*:/, ''),
      text: typeof raw['_'] === 'string' ? (raw['_'] as string) : '',
      attrs: (raw['$'] as Record<string, string> | undefined) ?? {},
      children: kids.map((k) => toNode(k['#name'], k)),
    };
  };
  const [rootName, root] = Object.entries(doc)[0]!;
  return toNode(rootName, root as Record<string, unknown>);
}

/** Follows a path of child names (first match each step). */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const p of path) cur = cur?.children.find((c) => c.name === p);
  return cur;
}
