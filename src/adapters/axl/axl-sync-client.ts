/**
 * AXL sync client (`blfgw sync --from URL`): pulls partitions, CSSs, presence groups, lines, phones
 * and users from another AXL server into the local store (list, then one get per object, as sync
 * tools must: list rows are narrower than get), then follows its `listChange` queue.
 *
 * Rule 1: objects keep the remote uuid, so later changes (which name uuids) map 1:1.
 * Rule 2: the change cursor is taken *before* the full pull, so nothing changed meanwhile is missed
 *         (a change already pulled is simply applied again).
 * Rule 3: a remote object that cannot be written locally is reported through onProgress, not thrown.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseStringPromise, processors } from 'xml2js';
import type { DirectoryStore, EntityKind, ExternalNames, NewRecord } from '../../core/ports/index.js';
import { ADD_DEFAULTS, AXL_TAGS, PARSERS } from './axl-mappers.js';
import { AXL_OBJECTS } from './axl-operations.js';
import { escapeXml, field, items, text, uuidAttr, type Parsed } from './axl-xml.js';

export interface SyncProgress {
  readonly phase: 'pull' | 'follow';
  readonly kind?: EntityKind;
  readonly done: number;
  readonly error?: string;
}

export interface SyncOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly store: DirectoryStore;
  readonly onProgress?: (p: SyncProgress) => void;
  /** called after each batch of local writes (so the app rebuilds its directory) */
  readonly onChanged?: () => void;
  /** keep polling listChange after the pull */
  readonly follow?: boolean;
  /** poll interval while following, ms (default 2000) */
  readonly pollMs?: number;
  /** accept a self-signed certificate (default true: AXL servers usually have one) */
  readonly insecureTls?: boolean;
  /** AXL schema version to speak (default 14.0) */
  readonly version?: string;
  /** page size for list operations (default 500) */
  readonly pageSize?: number;
  /** names defined outside the store (local dialplan files) that pulled objects may reference */
  readonly external?: ExternalNames;
}

export interface SyncHandle {
  /** objects written during the pull */
  readonly pulled: number;
  /** changes applied while following so far */
  applied(): number;
  /** polls once now (also what the timer does); resolves with the number of changes applied */
  pollNow(): Promise<number>;
  /** stops polling; resolves once a poll in flight has finished writing */
  stop(): Promise<void>;
}

const KIND_ORDER: readonly EntityKind[] = ['partition', 'css', 'presenceGroup', 'line', 'phone', 'user'];
const OBJECT_OF = Object.fromEntries(Object.entries(AXL_OBJECTS).map(([o, k]) => [k, o])) as Record<EntityKind, string>;
const LIST_KEY: Readonly<Record<EntityKind, string>> = {
  user: 'userid', phone: 'name', line: 'pattern', partition: 'name', css: 'name', presenceGroup: 'name',
};

class AxlCaller {
  constructor(private readonly opts: SyncOptions) {}

  async call(op: string, inner: string): Promise<Parsed> {
    const ver = this.opts.version ?? '14.0';
    const body =
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/${ver}">` +
      `<soapenv:Body><ns:${op}>${inner}</ns:${op}></soapenv:Body></soapenv:Envelope>`;
    const { status, text: xml } = await this.post(body, `"CUCM:DB ver=${ver} ${op}"`);
    if (status === 401) throw new Error(`AXL ${op}: 401 unauthorized`);
    const doc = (await parseStringPromise(xml, {
      explicitArray: false,
      attrkey: 'attributes',
      charkey: '$value',
      tagNameProcessors: [processors.stripPrefix],
    })) as Parsed;
    const bodyEl = field(field(doc, 'Envelope'), 'Body');
    const fault = field(bodyEl, 'Fault');
    if (fault) throw new Error(`AXL ${op}: ${text(field(fault, 'faultstring')) ?? 'fault'}`);
    return field(bodyEl, `${op}Response`);
  }

  private post(body: string, soapAction: string): Promise<{ status: number; text: string }> {
    const url = new URL(this.opts.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const auth = Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64');
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          rejectUnauthorized: !(this.opts.insecureTls ?? true),
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction, Authorization: `Basic ${auth}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Upserts a remote object (parsed AXL element) into the store, keeping its uuid. */
function upsert(store: DirectoryStore, kind: EntityKind, obj: Parsed, external?: ExternalNames): string | undefined {
  const uuid = uuidAttr(obj);
  if (!uuid) return `${kind} without uuid`;
  const parsed = PARSERS[kind](obj);
  const existing = store.get(kind, { uuid });
  const r = existing.ok
    ? store.update(kind, { uuid }, parsed, { external })
    : store.add(kind, { ...ADD_DEFAULTS[kind], ...parsed, uuid } as NewRecord<typeof kind>, { external });
  return r.ok ? undefined : r.error.message;
}

async function fetchOne(axl: AxlCaller, kind: EntityKind, uuid: string): Promise<Parsed> {
  const res = await axl.call(`get${OBJECT_OF[kind]}`, `<uuid>${escapeXml(uuid)}</uuid>`);
  return field(field(res, 'return'), AXL_TAGS[kind]);
}

async function currentCursor(axl: AxlCaller): Promise<{ next: number; queueId: string }> {
  let res = await axl.call('listChange', '');
  for (;;) {
    const info = field(res, 'queueInfo');
    const next = Number(text(field(info, 'nextStartChangeId')) ?? '1');
    const queueId = text(field(info, 'queueId')) ?? '';
    if (items(field(field(res, 'changes'), 'change')).length === 0) return { next, queueId };
    res = await axl.call('listChange', `<startChangeId queueId="${escapeXml(queueId)}">${next}</startChangeId>`);
  }
}

async function pullKind(axl: AxlCaller, opts: SyncOptions, kind: EntityKind): Promise<number> {
  const page = opts.pageSize ?? 500;
  const key = LIST_KEY[kind];
  let written = 0;
  for (let skip = 0; ; skip += page) {
    const res = await axl.call(
      `list${OBJECT_OF[kind]}`,
      `<searchCriteria><${key}>%</${key}></searchCriteria><returnedTags><${key}/></returnedTags><skip>${skip}</skip><first>${page}</first>`,
    );
    const rows = items(field(field(res, 'return'), AXL_TAGS[kind]));
    for (const row of rows) {
      const uuid = uuidAttr(row);
      const error = uuid ? upsert(opts.store, kind, await fetchOne(axl, kind, uuid), opts.external) : `${kind} row without uuid`;
      if (error) opts.onProgress?.({ phase: 'pull', kind, done: written, error });
      else written++;
    }
    opts.onProgress?.({ phase: 'pull', kind, done: written });
    if (rows.length < page) return written;
  }
}

/** Pulls everything, then (with `follow`) polls listChange until `stop()`. */
export async function syncFromAxl(opts: SyncOptions): Promise<SyncHandle> {
  const axl = new AxlCaller(opts);
  let cursor = await currentCursor(axl);
  let pulled = 0;
  for (const kind of KIND_ORDER) pulled += await pullKind(axl, opts, kind);
  opts.onChanged?.();
  let applied = 0;
  let polling: Promise<number> | undefined;

  async function pollOnce(): Promise<number> {
    const res = await axl.call('listChange', `<startChangeId queueId="${escapeXml(cursor.queueId)}">${cursor.next}</startChangeId>`);
    const info = field(res, 'queueInfo');
    const queueId = text(field(info, 'queueId')) ?? cursor.queueId;
    let n = 0;
    for (const change of items(field(field(res, 'changes'), 'change'))) {
      const attrs = (change as { attributes?: Record<string, string> }).attributes ?? {};
      const kind = AXL_OBJECTS[attrs['type'] ?? ''];
      const uuid = attrs['uuid'];
      if (!kind || !uuid) continue;
      let error: string | undefined;
      if (text(field(change, 'action')) === 'r') {
        const r = opts.store.remove(kind, { uuid });
        error = r.ok || r.error.code === 'not-found' ? undefined : r.error.message;
      } else {
        error = upsert(opts.store, kind, await fetchOne(axl, kind, uuid).catch(() => undefined), opts.external);
      }
      n++;
      opts.onProgress?.({ phase: 'follow', kind, done: applied + n, error });
    }
    cursor = { next: Number(text(field(info, 'nextStartChangeId')) ?? cursor.next), queueId };
    applied += n;
    if (n > 0) opts.onChanged?.();
    return n;
  }

  const pollNow = (): Promise<number> => {
    polling = (polling ?? Promise.resolve(0)).then(pollOnce, pollOnce);
    return polling;
  };
  const timer = opts.follow
    ? setInterval(() => {
        pollNow().catch((e: unknown) => opts.onProgress?.({ phase: 'follow', done: applied, error: (e as Error).message }));
      }, opts.pollMs ?? 2000)
    : undefined;
  const stop = async (): Promise<void> => {
    if (timer) clearInterval(timer);
    await polling?.catch(() => 0);
  };
  return { pulled, applied: () => applied, pollNow, stop };
}
