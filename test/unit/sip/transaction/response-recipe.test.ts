/**
 * Completed-state recipes (response-recipe.ts): a final response kept as what it does not copy from its
 * request, rebuilt byte for byte from a retransmission of that request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, parseMessage, serializeHead, type SipRequest } from '../../../../src/sip/index.js';
import { responseFromRecipe, responseRecipe } from '../../../../src/sip/transaction/response-recipe.js';

const SUBSCRIBE = [
  'SUBSCRIBE sip:2001@gw.example.com SIP/2.0',
  'v: SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bK-a;rport=5070;received=198.51.100.7',
  'Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-b',
  'Max-Forwards: 70',
  'f: "Désirée" <sip:3001@gw.example.com>;tag=77',
  'To: <sip:2001@gw.example.com>',
  'i: 1-838@198.51.100.7',
  'CSeq: 1 SUBSCRIBE',
  'Event: dialog',
  'Expires: 3600',
  'Content-Length: 0',
  '', '',
].join('\r\n');

const request = (text = SUBSCRIBE) => parseMessage(text) as SipRequest;

test('the recipe rebuilds the very text first sent, from a retransmission of the request', () => {
  const res = createResponse(request(), 200, 'OK', { toTag: 'gw1', headers: [['Expires', '3600'], ['Contact', '<sip:gw@192.0.2.1:5060>']] });
  const recipe = responseRecipe(res, request())!;
  assert.ok(recipe !== null);
  assert.ok(!recipe.includes('z9hG4bK') && !recipe.includes('1-838') && !recipe.includes('Désirée'), 'copied fields are markers');
  assert.ok(recipe.length * 2 < serializeHead(res).length, `${recipe.length} vs ${serializeHead(res).length} characters`);
  assert.equal(responseFromRecipe(recipe, request()), serializeHead(res));
});

test('no recipe for a body, or for a response whose copied fields differ from the request', () => {
  const req = request();
  assert.equal(responseRecipe(createResponse(req, 200, 'OK', { body: 'x' }), req), null);
  const edited = createResponse(req, 200, 'OK');
  edited.headers.removeFirst('via');
  assert.equal(responseRecipe(edited, req), null, 'a Via the request does not have in that place');
  const renamed = createResponse(req, 200, 'OK');
  renamed.headers.set('Call-ID', '1-838@198.51.100.7');
  assert.equal(responseRecipe(renamed, req), null, 'same value, other spelling of the name: the bytes would differ');
});

test('a request without a copied field cannot complete a recipe', () => {
  const res = createResponse(request(), 481, 'Subscription Does Not Exist', { toTag: 'gw2' });
  const recipe = responseRecipe(res, request())!;
  const noCSeq = request();
  noCSeq.headers.remove('cseq');
  assert.equal(responseFromRecipe(recipe, noCSeq), null);
});
