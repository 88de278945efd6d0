/**
 * Shapes of a dialplan YAML file after schema validation (`dialplans/schema.json`). Keys are the
 * file's own names; `parts-from-yaml.ts` turns them into the core's DirectoryParts.
 */

export type YamlRef = string | null | undefined;
export type YamlDn = string | number;
export type YamlPermission = 'Allowed' | 'Disallowed' | 'Use System Default';

export interface YamlPorts {
  readonly sip?: number;
  readonly sipTls?: number;
  readonly sipTransports?: readonly ('udp' | 'tcp' | 'tls' | 'ws' | 'wss')[];
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly sccp?: number;
  readonly axl?: number;
  readonly ws?: number;
  readonly http?: number;
}

export interface YamlService {
  readonly domain?: string;
  readonly interPresenceGroupPolicy?: 'Allowed' | 'Disallowed';
  readonly blfForCallLists?: boolean;
  readonly blfStatusDepictsDnd?: boolean;
  readonly impPublishTrunk?: string | null;
  readonly subscribeDefaultExpires?: number;
  readonly subscribeMinExpires?: number;
  readonly subscribeMaxExpires?: number;
  readonly publishExpires?: number;
  readonly registerDefaultExpires?: number;
  readonly registerMinExpires?: number;
  readonly registerMaxExpires?: number;
  readonly interDigitTimeoutMs?: number;
  readonly ports?: YamlPorts;
}

export interface YamlNamed {
  readonly name: string;
  readonly description?: string;
}

export interface YamlCss extends YamlNamed {
  readonly partitions: readonly string[];
}

export interface YamlPresenceGroup extends YamlNamed {
  readonly permissions?: Readonly<Record<string, YamlPermission>>;
}

export interface YamlUser {
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly presenceGroup?: string;
  readonly subscribeCss?: YamlRef;
  readonly devices?: readonly string[];
}

export interface YamlLine {
  readonly dn: YamlDn;
  readonly partition?: YamlRef;
  readonly description?: string;
  readonly alertingName?: string;
  readonly directoryUri?: string;
  readonly presenceGroup?: string;
}

export interface YamlAppearance {
  readonly index: number;
  readonly dn: YamlDn;
  readonly partition?: YamlRef;
  readonly label?: string;
  readonly display?: string;
  readonly users?: readonly string[];
  readonly maxCalls?: number;
  readonly busyTrigger?: number;
}

export interface YamlBlf {
  readonly index: number;
  readonly label?: string;
  readonly dn?: YamlDn;
  readonly partition?: YamlRef;
  readonly uri?: string;
  readonly pickup?: boolean;
}

export interface YamlPhone extends YamlNamed {
  readonly protocol: 'sip' | 'sccp';
  readonly model: string;
  readonly owner?: string;
  readonly subscribeCss?: YamlRef;
  readonly callingCss?: YamlRef;
  readonly presenceGroup?: string;
  readonly digestPassword?: string;
  readonly singleDialogPerDocument?: boolean;
  readonly lines?: readonly YamlAppearance[];
  readonly blfSpeedDials?: readonly YamlBlf[];
}

export interface YamlRoutePattern {
  readonly pattern: string | number;
  readonly partition?: YamlRef;
  readonly trunk: string;
  readonly description?: string;
}

export interface YamlSipRoutePattern {
  readonly domain: string;
  readonly partition?: YamlRef;
  readonly trunk: string;
  readonly description?: string;
}

export interface YamlTrunk extends YamlNamed {
  readonly destination: { readonly host: string; readonly port?: number; readonly transport?: 'udp' | 'tcp' | 'tls' | 'ws' };
  readonly domain?: string;
  readonly accessList?: readonly string[];
  readonly subscribeCss?: YamlRef;
  readonly callingCss?: YamlRef;
  readonly presenceGroup?: string;
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** One dialplan file. */
export interface YamlDialplanFile {
  readonly service?: YamlService;
  readonly partitions?: readonly YamlNamed[];
  readonly callingSearchSpaces?: readonly YamlCss[];
  readonly presenceGroups?: readonly YamlPresenceGroup[];
  readonly users?: readonly YamlUser[];
  readonly lines?: readonly YamlLine[];
  readonly phones?: readonly YamlPhone[];
  readonly routePatterns?: readonly YamlRoutePattern[];
  readonly sipRoutePatterns?: readonly YamlSipRoutePattern[];
  readonly trunks?: readonly YamlTrunk[];
}
