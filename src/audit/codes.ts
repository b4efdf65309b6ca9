/** Coded values of audit messages (DICOM PS3.16 CID 400-403, IHE ITI TF-2 3.x.5). */
import type { CodedValue } from './auditMessage.ts';

const dcm = (code: string, originalText: string): CodedValue => ({ code, codeSystemName: 'DCM', originalText });

export const EventIds = {
  applicationActivity: dcm('110100', 'Application Activity'),
  export: dcm('110106', 'Export'),
  import: dcm('110107', 'Import'),
  patientRecord: dcm('110110', 'Patient Record'),
  query: dcm('110112', 'Query'),
  securityAlert: dcm('110113', 'Security Alert'),
} as const;

export const Roles = {
  source: dcm('110153', 'Source Role ID'),
  destination: dcm('110152', 'Destination Role ID'),
  application: dcm('110150', 'Application'),
  applicationLauncher: dcm('110151', 'Application Launcher'),
} as const;

export const ihe = (transaction: string, name: string): CodedValue => ({
  code: transaction,
  codeSystemName: 'IHE Transactions',
  originalText: name,
});

export const PatientNumber: CodedValue = { code: '2', codeSystemName: 'RFC-3881', originalText: 'Patient Number' };

/** AuditSourceTypeCode 4: application server process tier in a multi-tier system. */
export const ApplicationServer: CodedValue = { code: '4', codeSystemName: 'DCM', originalText: 'Application Server' };
