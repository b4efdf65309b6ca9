/** How a patient is named to the access report: shared with the consent admin API, in src/identity. */
export { findPatient, UnknownPatient } from '../../identity/patientReference.ts';
