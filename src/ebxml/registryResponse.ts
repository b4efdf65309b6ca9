/**
 * ebRS 3.0 RegistryResponse and RegistryErrorList (ITI TF-3 4.2.4): statuses, severities and the
 * errors of a transaction, written and read.
 */
import { NS } from '../soap/namespaces.ts';
import type { XmlElement } from '../xml/parse.ts';
import { attrs } from '../xml/write.ts';

export type ResponseStatus = 'Success' | 'Failure' | 'PartialSuccess';
export type Severity = 'Error' | 'Warning';

export interface RegistryError {
  errorCode: string;
  codeContext: string;
  location?: string;
  severity: Severity;
}

export const STATUS_URN: Record<ResponseStatus, string> = {
  Success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  Failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  PartialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
};

export const SEVERITY_URN: Record<Severity, string> = {
  Error: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  Warning: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning',
};

/** Success with only warnings; Failure as soon as there is one error. */
export function statusOf(errors: RegistryError[]): ResponseStatus {
  return errors.some((e) => e.severity === 'Error') ? 'Failure' : 'Success';
}

export function registryErrorListXml(errors: RegistryError[]): string {
  if (errors.length === 0) return '';
  const items = errors
    .map(
      (e) =>
        `<rs:RegistryError${attrs([
          ['codeContext', e.codeContext],
          ['errorCode', e.errorCode],
          ['location', e.location],
          ['severity', SEVERITY_URN[e.severity]],
        ])}/>`,
    )
    .join('');
  return `<rs:RegistryErrorList>${items}</rs:RegistryErrorList>`;
}

/** A whole rs:RegistryResponse element, with its namespace declared. */
export function registryResponseXml(status: ResponseStatus, errors: RegistryError[]): string {
  const list = registryErrorListXml(errors);
  return `<rs:RegistryResponse xmlns:rs="${NS.rs}" status="${STATUS_URN[status]}"${list ? `>${list}</rs:RegistryResponse>` : '/>'}`;
}

export class RegistryResponseError extends Error {}

export interface DecodedRegistryResponse {
  status: ResponseStatus;
  errors: RegistryError[];
}

/**
 * Reads a RegistryResponse (a remote registry's answer). A Failure must say why (a failure carries a
 * RegistryErrorList, ITI TF-3 4.2.4.1), else it is refused as unreadable. A Success that carries an
 * Error is inconsistent; it is read as the Failure its errors make it, never trusted as a success.
 */
export function decodeRegistryResponse(el: XmlElement): DecodedRegistryResponse {
  if (el.ns !== NS.rs || el.local !== 'RegistryResponse') throw new RegistryResponseError(`not a RegistryResponse: {${el.ns}}${el.local}`);
  const status = (Object.keys(STATUS_URN) as ResponseStatus[]).find((k) => STATUS_URN[k] === el.attrs.status?.trim());
  if (!status) throw new RegistryResponseError(`unknown RegistryResponse status '${el.attrs.status ?? ''}'`);
  const list = el.children.find((c) => c.ns === NS.rs && c.local === 'RegistryErrorList');
  const errors: RegistryError[] = (list?.children ?? [])
    .filter((c) => c.ns === NS.rs && c.local === 'RegistryError')
    .map((c) => ({
      errorCode: c.attrs.errorCode ?? '',
      codeContext: c.attrs.codeContext ?? c.text.trim(),
      location: c.attrs.location?.trim() || undefined,
      severity: c.attrs.severity === SEVERITY_URN.Warning ? 'Warning' : 'Error',
    }));
  if (status === 'Failure' && !errors.some((e) => e.severity === 'Error')) {
    throw new RegistryResponseError('a Failure RegistryResponse without any RegistryError of severity Error');
  }
  if (status === 'Success' && errors.some((e) => e.severity === 'Error')) return { status: 'Failure', errors };
  return { status, errors };
}
