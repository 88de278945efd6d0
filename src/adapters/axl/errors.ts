/**
 * AXL facade errors: every failure a client sees is a SOAP 1.1 Fault (HTTP 500) whose
 * `detail/axlError` carries `axlcode`, `axlmessage` and the `request` operation (axl-facts.md §9).
 */

/** Codes the facade raises itself (store errors bring their own, see core/ports/errors.ts). */
export const AXL_ERROR = {
  /** the object is defined in a dialplan file */
  readOnly: 5011,
  /** a required element is missing or a value is invalid */
  invalidRequest: 5003,
  /** malformed XML or not a SOAP envelope */
  malformed: -1,
  /** an operation this facade does not serve */
  unknownOperation: 5002,
  /** a named sub-item does not exist (same code as the store's not-found, CUCM's 5007) */
  notFound: 5007,
  /** a sub-item already exists (same code as the store's duplicate key, Informix -239) */
  duplicate: -239,
} as const;

/** What node-soap turns into a SOAP Fault when a service method throws it. */
export interface AxlFaultThrowable {
  readonly Fault: {
    readonly faultcode: string;
    readonly faultstring: string;
    readonly detail: { readonly axlError: { readonly axlcode: number; readonly axlmessage: string; readonly request: string } };
    statusCode: number;
  };
}

export function axlFault(axlcode: number, axlmessage: string, request: string): AxlFaultThrowable {
  return {
    Fault: {
      faultcode: 'soapenv:Server',
      faultstring: axlmessage,
      detail: { axlError: { axlcode, axlmessage, request } },
      statusCode: 500,
    },
  };
}

export function isAxlFault(e: unknown): e is AxlFaultThrowable {
  return !!e && typeof e === 'object' && 'Fault' in e;
}
