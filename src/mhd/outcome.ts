/**
 * MHD's errors: a FhirError that carries several issues, each with the XDS error code it stands for
 * (ITI TF-2 3.65.4.1.3: "if appropriate, it shall use error codes from ITI TF-3 Table 4.2.4.1-2"), as
 * OperationOutcome.issue.details. Anything else is written by the FHIR surface's one writer.
 */
import type { Response } from 'express';
import type { OperationOutcome } from 'fhir/r4.js';
import { FhirError, sendError, sendResource, type IssueCode } from '../fhir/outcome.ts';

/** OperationOutcome issue types (FHIR R4 ValueSet issue-type) MHD's answers use. */
export type MhdIssueCode = IssueCode | 'duplicate' | 'informational' | 'business-rule';

export interface MhdIssue {
  severity?: 'error' | 'warning';
  code: MhdIssueCode;
  diagnostics: string;
  expression?: string[];
  /** The XDS error code (XDSUnknownPatientId, ...), when the issue is one. */
  xdsCode?: string;
}

export class MhdError extends FhirError {
  constructor(
    status: number,
    readonly issues: MhdIssue[],
  ) {
    super(status, 'processing', issues.map((i) => i.diagnostics).join('; '), issues[0]?.expression);
    this.name = 'MhdError';
  }
}

export function outcomeOfIssues(issues: MhdIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      ...(i.xdsCode ? { details: { coding: [{ code: i.xdsCode }], text: i.xdsCode } } : {}),
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}

export function sendMhdError(res: Response, e: unknown): void {
  if (e instanceof MhdError) sendResource(res, e.status, outcomeOfIssues(e.issues));
  else sendError(res, e);
}
