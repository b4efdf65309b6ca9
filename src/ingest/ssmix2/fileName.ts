/**
 * SS-MIX2 standardized storage file names and their place in the tree (SS-MIX2 標準化ストレージ
 * 仕様書 Ver.1.2, storage layout and file naming):
 *
 *   ROOT/PID[0:3]/PID[3:6]/PID/CareDate|-/DataType/PID_CareDate_DataType_OrderNo_Timestamp_Dept_Condition
 *
 * Patient ID at most 15 characters, care date YYYYMMDD or '-', a known data type, order number at
 * most 15, timestamp YYYYMMDDHHMMSSfff (17 digits), department code at most 3 or '-', condition flag
 * 0 (deleted), 1 (valid) or 2 (superseded by a newer file).
 */
import { dataType, type DataType } from './dataTypes.ts';

export type Condition = 0 | 1 | 2;

export interface StorageFileName {
  patientId: string;
  /** YYYYMMDD, or '-' for data without a care date. */
  careDate: string;
  dataType: DataType;
  orderNo: string;
  /** YYYYMMDDHHMMSSfff. */
  timestamp: string;
  /** Department code, or '-'. */
  department: string;
  condition: Condition;
}

export class FileNameError extends Error {
  constructor(
    readonly reason: 'bad-name' | 'misplaced',
    message: string,
  ) {
    super(message);
  }
}

const ID = /^[0-9A-Za-z]+$/;

function validDate(d: string): boolean {
  if (!/^\d{8}$/.test(d)) return false;
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

function validTimestamp(t: string): boolean {
  if (!/^\d{17}$/.test(t) || !validDate(t.slice(0, 8))) return false;
  return Number(t.slice(8, 10)) < 24 && Number(t.slice(10, 12)) < 60 && Number(t.slice(12, 14)) < 61;
}

/** Parses and checks a file name; throws FileNameError('bad-name') saying which field is wrong. */
export function parseFileName(name: string): StorageFileName {
  const parts = name.split('_');
  if (parts.length !== 7) throw new FileNameError('bad-name', `file name has ${parts.length} fields, not 7 (PatientID_CareDate_DataType_OrderNo_Timestamp_Dept_Condition)`);
  const [patientId, careDate, type, orderNo, timestamp, department, condition] = parts;
  const bad = (what: string) => new FileNameError('bad-name', `${what} in the file name`);
  if (!ID.test(patientId) || patientId.length > 15) throw bad(`patient ID '${patientId}' is not 1-15 letters or digits`);
  if (careDate !== '-' && !validDate(careDate)) throw bad(`care date '${careDate}' is neither YYYYMMDD nor '-'`);
  const dt = dataType(type);
  if (!dt) throw bad(`data type '${type}' is not an SS-MIX2 data type`);
  if (!(ID.test(orderNo) || orderNo === '-') || orderNo.length > 15) throw bad(`order number '${orderNo}' is not 1-15 letters or digits`);
  if (!validTimestamp(timestamp)) throw bad(`timestamp '${timestamp}' is not YYYYMMDDHHMMSSfff`);
  if (!(ID.test(department) || department === '-') || department.length > 3) throw bad(`department code '${department}' is not 1-3 letters or digits or '-'`);
  if (condition !== '0' && condition !== '1' && condition !== '2') throw bad(`condition flag '${condition}' is not 0, 1 or 2`);
  return { patientId, careDate, dataType: dt, orderNo, timestamp, department, condition: Number(condition) as Condition };
}

/** The folders a file of this name belongs in, relative to the storage root. */
export function expectedFolder(n: Pick<StorageFileName, 'patientId' | 'careDate' | 'dataType'>): string[] {
  const id = n.patientId;
  return [id.slice(0, 3), id.slice(3, 6), id, n.careDate, n.dataType.code];
}

/** The file name of a storage file. */
export function formatFileName(n: StorageFileName): string {
  return [n.patientId, n.careDate, n.dataType.code, n.orderNo, n.timestamp, n.department, String(n.condition)].join('_');
}

/**
 * Parses the path of a file relative to the storage root (segments split on '/') and checks that the
 * folders agree with the name; throws FileNameError('misplaced') when they do not.
 */
export function parseStoragePath(relPath: string): StorageFileName {
  const segs = relPath.split('/');
  const name = parseFileName(segs[segs.length - 1]);
  const want = expectedFolder(name);
  const have = segs.slice(0, -1);
  if (name.patientId.length < 6 || have.length !== want.length || have.some((s, i) => s !== want[i])) {
    throw new FileNameError('misplaced', `file belongs in ${want.join('/')}/, not ${have.join('/')}/`);
  }
  return name;
}

/**
 * What versions of one piece of data share: the same patient, care date, data type and order number.
 * A newer file of the same key replaces the older one.
 */
export function versionKey(n: Pick<StorageFileName, 'patientId' | 'careDate' | 'dataType' | 'orderNo'>): string {
  return `${n.patientId}/${n.careDate}/${n.dataType.code}/${n.orderNo}`;
}
