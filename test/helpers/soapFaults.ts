/** What the SOAP authorization and XUA tests share: the Fault a call ends in, and the Security Alerts it left. */
import { expect } from 'chai';
import { SoapFaultError } from '../../src/soap/client.ts';
import type { StoredAuditRecord, Store } from '../../src/store/types.ts';

/** The SOAP Fault a call was answered with; fails the test when it was answered otherwise. */
export async function faultOf(p: Promise<unknown>): Promise<SoapFaultError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SoapFaultError) return e;
    throw e;
  }
  return expect.fail('the request was answered');
}

/** Every Security Alert (110113) the server stored. */
export async function securityAlerts(store: Store): Promise<StoredAuditRecord[]> {
  return (await store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.eventId === '110113');
}
