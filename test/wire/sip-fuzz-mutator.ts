/**
 * Seeded SIP message mutator shared by the bounded fuzz test and `scripts/sip-fuzz-long.ts`.
 * Seeds are real requests (OPTIONS, SUBSCRIBE, INVITE, NOTIFY, REGISTER) whose Via points at
 * the fuzzing client (`[local_ip]:[local_port]`), so answers come back to it.
 */

/** mulberry32 PRNG: deterministic per seed. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = ['OPTIONS', 'SUBSCRIBE', 'INVITE', 'NOTIFY', 'REGISTER', 'MESSAGE'].map((m) => (proto: string, n: number): string => {
  const body = m === 'NOTIFY' || m === 'MESSAGE' ? '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full"/>' : '';
  return [
    `${m} sip:2002@[local_ip]:5060 SIP/2.0`,
    `Via: SIP/2.0/${proto} [local_ip]:[local_port];branch=z9hG4bKfz${n};rport`,
    'Max-Forwards: 70',
    `From: "Fuzz" <sip:2001@example.com>;tag=f${n}`,
    'To: <sip:2002@example.com>',
    `Call-ID: fuzz-${n}@example.com`,
    `CSeq: ${n % 1000 + 1} ${m}`,
    'Contact: <sip:2001@[local_ip]:[local_port]>',
    m === 'SUBSCRIBE' || m === 'NOTIFY' ? 'Event: dialog' : 'Subject: fuzz',
    'Content-Type: application/dialog-info+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
});

const JUNK = ['\r\n', ':', ';', ',', '"', '<', '>', '[', ']', '\\', '\0', ' ', '\t', '%', 'z9hG4bK', 'SIP/2.0', 'Content-Length: 99999\r\n', 'Via: \r\n', 'ÿ', '\u2028'];

/** One mutated message (bytes). `clean` keeps the seed unmutated (a control). */
export function mutate(rng: () => number, n: number, proto: string, ip: string, port: number): { bytes: Buffer; clean: boolean } {
  const seed = SEEDS[Math.floor(rng() * SEEDS.length)](proto, n).replaceAll('[local_ip]', ip).replaceAll('[local_port]', String(port));
  if (rng() < 0.15) return { bytes: Buffer.from(seed), clean: true };
  const b = Buffer.from(seed);
  const ops = 1 + Math.floor(rng() * 4);
  let out: Buffer = b;
  for (let i = 0; i < ops; i++) out = applyOp(rng, out);
  return { bytes: out, clean: false };
}

function applyOp(rng: () => number, b: Buffer): Buffer {
  const at = Math.floor(rng() * b.length);
  switch (Math.floor(rng() * 7)) {
    case 0: { const c = Buffer.from(b); c[at] = Math.floor(rng() * 256); return c; }
    case 1: return Buffer.concat([b.subarray(0, at), Buffer.from(JUNK[Math.floor(rng() * JUNK.length)]), b.subarray(at)]);
    case 2: return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rng() * 20)))]);
    case 3: return b.subarray(0, at);
    case 4: { const len = Math.floor(rng() * 40); return Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); }
    case 5: { const lines = b.toString('latin1').split('\r\n'); const i = Math.floor(rng() * lines.length); const j = Math.floor(rng() * lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; return Buffer.from(lines.join('\r\n'), 'latin1'); }
    default: return Buffer.concat([b.subarray(0, at), Buffer.alloc(Math.floor(rng() * 3000), 'A'), b.subarray(at)]);
  }
}
