/**
 * The AXL facade of a running gateway driven by canned zeep-style envelopes (`fixtures/axl/requests`)
 * over raw HTTPS (issue 7): strict-client requests (every element present, many empty) are accepted,
 * responses keep the schema's element order, faults are HTTP 500 SOAP Faults with axlError
 * (bad request, unknown object, duplicate), and updatePhone addLines/removeLines and updateLine take
 * effect live in the gateway's directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { lineKey } from '../../src/core/index.js';
import { startGateway, type Gateway } from '../../src/app/gateway.js';
import { createLogger } from '../../src/app/logger.js';
import { child, parseOrdered, postAxlFixture, type XmlNode } from '../support/axl-fixture-client.js';

const XSD = readFileSync('wsdl/AXLSoap.xsd', 'utf8').split('\n');

/** Element names of a schema type in declaration order (one complexType per line in our XSD). */
function schemaOrder(typeName: string): string[] {
  const line = XSD.find((l) => l.startsWith(`<xsd:complexType name="${typeName}">`));
  assert.ok(line, `type ${typeName} in wsdl/AXLSoap.xsd`);
  return [...line.matchAll(/<xsd:element name="(\w+)"/g)].map((m) => m[1]!);
}

function assertSchemaOrder(node: XmlNode | undefined, typeName: string): void {
  assert.ok(node, `${typeName} element present`);
  const order = schemaOrder(typeName);
  const positions = node.children.map((c) => {
    const i = order.indexOf(c.name);
    assert.ok(i >= 0, `${c.name} is not an element of ${typeName}`);
    return i;
  });
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${typeName} children out of order: ${node.children.map((c) => c.name).join(', ')}`);
}

async function assertFault(answer: { status: number; body: string }, code: number, request: string, message: RegExp): Promise<void> {
  assert.equal(answer.status, 500, answer.body);
  const env = await parseOrdered(answer.body);
  const fault = child(env, 'Body', 'Fault');
  assert.ok(fault, answer.body);
  assert.deepEqual(fault.children.map((c) => c.name), ['faultcode', 'faultstring', 'detail']);
  const err = child(fault, 'detail', 'axlError');
  assert.deepEqual(err?.children.map((c) => c.name), ['axlcode', 'axlmessage', 'request']);
  assert.equal(Number(child(err, 'axlcode')?.text), code, answer.body);
  assert.match(child(err, 'axlmessage')?.text ?? '', message);
  assert.equal(child(err, 'request')?.text, request);
  assert.equal(child(fault, 'faultstring')?.text, child(err, 'axlmessage')?.text);
}

async function returned(answer: { status: number; body: string }): Promise<XmlNode | undefined> {
  assert.equal(answer.status, 200, answer.body);
  const env = await parseOrdered(answer.body);
  const response = child(env, 'Body')?.children[0];
  return child(response, 'return');
}

/** Bounded wait for the gateway's live directory to satisfy `cond`. */
async function eventually(gw: Gateway, what: string, cond: (d: Gateway['context']['directory']['directory']) => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond(gw.context.directory.directory)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`directory never showed: ${what}`);
}

const devicesOnLine = (d: Gateway['context']['directory']['directory'], dn: string) =>
  (d.appearancesByLine.get(lineKey(dn, 'Sync_PT')) ?? []).map((a) => a.device);

test('AXL fixtures: strict-client envelopes, schema order, fault shape, addLines/removeLines live', { timeout: 180_000 }, async () => {
  const logger = createLogger({ level: 'error', json: true, stream: new Writable({ write(_c, _e, done) { done(); } }) });
  const gw = await startGateway(
    { dialplanDir: 'dialplans', dbFile: ':memory:', bindHost: '127.0.0.1', sipPort: 0, sipTlsPort: null, wsPort: null, sccpPort: null, axlPort: 0, httpPort: null },
    logger,
  );
  assert.ok(gw);
  const url = `https://127.0.0.1:${gw.ports.axl}/axl/`;
  try {
    for (const name of ['add-route-partition', 'add-line-4001', 'add-line-4002', 'add-phone-sep000000004001', 'add-user-oortiz']) {
      const ret = await returned(await postAxlFixture(url, name));
      assert.match(ret?.text ?? '', /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/, `${name} returns an AXL uuid`);
    }
    await eventually(gw, 'SEP000000004001 on 4001', (d) => d.devices.has('SEP000000004001') && devicesOnLine(d, '4001').includes('SEP000000004001'));

    const user = child(await returned(await postAxlFixture(url, 'get-user-oortiz')), 'user');
    assertSchemaOrder(user, 'XUser');
    assert.equal(child(user, 'associatedDevices', 'device')?.text, 'SEP000000004001');
    assert.equal(child(user, 'primaryExtension', 'pattern')?.text, '4001');
    const phone = child(await returned(await postAxlFixture(url, 'get-phone-sep000000004001')), 'phone');
    assertSchemaOrder(phone, 'XPhone');
    assertSchemaOrder(child(phone, 'lines', 'line'), 'XPhoneLine');
    assertSchemaOrder(child(phone, 'busyLampFields', 'busyLampField'), 'XBusyLampField');
    assert.equal(child(phone, 'busyLampFields', 'busyLampField', 'blfDirn')?.text, '1001', 'empty blfDest beside blfDirn is absent');

    // faults: duplicate, unknown object, bad request, wrong credentials
    await assertFault(await postAxlFixture(url, 'add-line-4001'), -239, 'addLine', /4001/);
    await assertFault(await postAxlFixture(url, 'get-user-missing'), 5007, 'getUser', /not found/i);
    await assertFault(await postAxlFixture(url, 'add-phone-without-name'), 5003, 'addPhone', /name/);
    const unauthorized = await postAxlFixture(url, 'get-user-oortiz', 'axladmin:wrong');
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.body, '');

    // updatePhone addLines / removeLines / updateLine, live
    await returned(await postAxlFixture(url, 'update-phone-add-lines'));
    await eventually(gw, '4002 on SEP000000004001', (d) => devicesOnLine(d, '4002').includes('SEP000000004001'));
    const two = child(await returned(await postAxlFixture(url, 'get-phone-sep000000004001')), 'phone', 'lines');
    assert.deepEqual(two?.children.map((l) => `${child(l, 'index')?.text}:${child(l, 'dirn', 'pattern')?.text}`), ['1:4001', '2:4002']);
    await assertFault(await postAxlFixture(url, 'update-phone-add-lines'), -239, 'updatePhone', /already has line 4002/);
    await returned(await postAxlFixture(url, 'update-phone-remove-lines'));
    await eventually(gw, '4001 off SEP000000004001', (d) => !devicesOnLine(d, '4001').includes('SEP000000004001'));
    assert.deepEqual(devicesOnLine(gw.context.directory.directory, '4002'), ['SEP000000004001']);
    await assertFault(await postAxlFixture(url, 'update-phone-remove-lines'), 5007, 'updatePhone', /has no line 4001/);
    await returned(await postAxlFixture(url, 'update-line-4002'));
    await eventually(gw, '4002 renamed', (d) => d.lines.get(lineKey('4002', 'Sync_PT'))?.alertingName === 'Olga Second');
  } finally {
    await gw.close();
  }
});
