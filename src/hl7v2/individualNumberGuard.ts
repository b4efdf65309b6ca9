/**
 * Finds an identifier in the individual-number domain anywhere in a message, so that the message
 * can be refused before anything is stored. Returns where it is, never what it is. The policy (the
 * identity service's individual-number domain) matches an authority whatever its spelling; values
 * are read unescaped. With free-text screening on, PID-5, PID-13 and OBX-5 are screened too.
 */
import type { ErrorLocation } from './errors.ts';
import type { Delimiters, Hl7v2Message, Repetition, Segment } from './message.ts';

export interface IndividualNumberPolicy {
  isIndividualNumber(a: { namespace?: string; oid?: string }, typeCode?: string): boolean;
  /** True when the value (an assigning authority, in any spelling) names the domain. */
  isIndividualNumberAuthority(value: string): boolean;
  /** True when the text may name the domain (a fast test before a field-by-field search). */
  mentionsIndividualNumberDomain(text: string): boolean;
  /** True when free-text screening is on (config identity.individualNumber.freeTextScreening). */
  freeTextScreeningOn(): boolean;
  /** True when free-text screening is on and the text holds 12 digits with a valid check digit. */
  screensFreeText(text: string): boolean;
}

/** Free-text fields screened when the policy asks: the patient's name, phone number, an observation value. */
const FREE_TEXT: Record<string, number[]> = { PID: [5, 13], OBX: [5] };

/** Fields of type CX, whose component 5 is the identifier type code. */
const CX_FIELDS: Record<string, number[]> = {
  PID: [2, 3, 4, 18, 21],
  MRG: [1, 2, 3, 4, 7],
  NK1: [33],
  PD1: [],
  IN1: [49],
};

/**
 * The values of subcomponent (c, s) to judge: as unescaped, and, when it holds hex escapes (\Xhh..\,
 * HL7 v2.5 2.7.3), with them decoded, since the unescaping of the hl7v2 package drops them.
 */
function valuesOf(rep: Repetition, c: number, s: number, d: Delimiters): string[] {
  const v = rep.get(c, s);
  const raw = rep.rawComponent(c).split(d.subcomponent)[s - 1] ?? '';
  const hex = `${d.escape}X`;
  if (!raw.includes(hex) && !raw.includes(`${d.escape}x`)) return [v];
  const e = d.escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const decoded = raw.replace(new RegExp(`${e}[Xx]((?:[0-9A-Fa-f]{2})+)${e}`, 'g'), (_, h: string) => Buffer.from(h, 'hex').toString('latin1'));
  return [v, decoded];
}

/** True when a CX repetition's authority (CX-4) or type code (CX-5) is the individual number's, hex escapes decoded. */
export function cxInIndividualNumberDomain(rep: Repetition, policy: IndividualNumberPolicy, d: Delimiters): boolean {
  const named = [...valuesOf(rep, 4, 1, d), ...valuesOf(rep, 4, 2, d)].some((v) => v && policy.isIndividualNumberAuthority(v));
  return named || valuesOf(rep, 5, 1, d).some((v) => policy.isIndividualNumber({}, v));
}

export function findIndividualNumber(msg: Hl7v2Message, policy: IndividualNumberPolicy): ErrorLocation | undefined {
  // An authority may also hide behind an HL7 hex escape (\Xhh..\), which the text test cannot see.
  const mentionsAuthority = policy.mentionsIndividualNumberDomain(msg.text) || /\\X[0-9A-Fa-f]/.test(msg.text);
  const screening = policy.freeTextScreeningOn();
  for (const seg of msg.segments()) {
    const cx = CX_FIELDS[seg.type] ?? [];
    for (const field of cx) {
      const loc = checkCxField(seg, field, policy, msg.delimiters);
      if (loc) return loc;
    }
    if (seg.type === 'QPD') {
      const loc = checkQueryParameters(seg, policy, msg.delimiters);
      if (loc) return loc;
    }
    if (mentionsAuthority) {
      const loc = findAuthority(seg, policy, msg.delimiters);
      if (loc) return loc;
    }
    for (const field of screening ? (FREE_TEXT[seg.type] ?? []) : []) {
      const loc = screenFreeText(seg, field, policy, msg.delimiters);
      if (loc) return loc;
    }
  }
  return undefined;
}

function checkCxField(seg: Segment, field: number, policy: IndividualNumberPolicy, d: Delimiters): ErrorLocation | undefined {
  const reps = seg.reps(field);
  for (let r = 0; r < reps.length; r++) {
    const rep = reps[r];
    if (cxInIndividualNumberDomain(rep, policy, d)) {
      return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1 };
    }
  }
  return undefined;
}

/** QPD-3 of a PIX query is a CX; QPD-3 of a PDQ query holds @PID.3.5^<type code> parameters. */
function checkQueryParameters(seg: Segment, policy: IndividualNumberPolicy, d: Delimiters): ErrorLocation | undefined {
  const loc = checkCxField(seg, 3, policy, d);
  if (loc) return loc;
  const reps = seg.reps(3);
  for (let r = 0; r < reps.length; r++) {
    const name = reps[r].get(1);
    if (/^@PID\.(2|3|4|18|21)\.5$/.test(name) && policy.isIndividualNumber({}, reps[r].get(2))) {
      return { segment: 'QPD', sequence: seg.sequence, field: 3, repetition: r + 1 };
    }
  }
  return undefined;
}

function screenFreeText(seg: Segment, field: number, policy: IndividualNumberPolicy, d: Delimiters): ErrorLocation | undefined {
  const reps = seg.reps(field);
  for (let r = 0; r < reps.length; r++) {
    const rep = reps[r];
    const text = rep
      .values()
      .flatMap((comp, c) => comp.flatMap((_, s) => valuesOf(rep, c + 1, s + 1, d)))
      .join(' ');
    if (policy.screensFreeText(text)) return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1 };
  }
  return undefined;
}

function findAuthority(seg: Segment, policy: IndividualNumberPolicy, d: Delimiters): ErrorLocation | undefined {
  const count = seg.type === 'MSH' ? 21 : 60;
  for (let field = 1; field <= count; field++) {
    const reps = seg.reps(field);
    for (let r = 0; r < reps.length; r++) {
      const rep = reps[r];
      for (let c = 1; c <= rep.componentCount; c++) {
        for (let s = 1; s <= 4; s++) {
          if (valuesOf(rep, c, s, d).some((v) => v && policy.isIndividualNumberAuthority(v))) return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1 };
        }
      }
    }
  }
  return undefined;
}
