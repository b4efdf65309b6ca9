/**
 * Finds an identifier in the individual-number domain anywhere in a message, so that the message
 * can be refused before anything is stored. Returns where it is, never what it is.
 */
import type { ErrorLocation } from './errors.ts';
import type { Hl7v2Message, Segment } from './message.ts';

export interface IndividualNumberPolicy {
  individualNumberAuthorities(): ReadonlySet<string>;
  isIndividualNumber(a: { namespace?: string; oid?: string }, typeCode?: string): boolean;
}

/** Fields of type CX, whose component 5 is the identifier type code. */
const CX_FIELDS: Record<string, number[]> = {
  PID: [2, 3, 4, 18, 21],
  MRG: [1, 2, 3, 4, 7],
  NK1: [33],
  PD1: [],
  IN1: [49],
};

export function findIndividualNumber(msg: Hl7v2Message, policy: IndividualNumberPolicy): ErrorLocation | undefined {
  const authorities = policy.individualNumberAuthorities();
  const mentionsAuthority = [...authorities].some((a) => a && msg.text.includes(a));
  for (const seg of msg.segments()) {
    const cx = CX_FIELDS[seg.type] ?? [];
    for (const field of cx) {
      const loc = checkCxField(seg, field, policy);
      if (loc) return loc;
    }
    if (seg.type === 'QPD') {
      const loc = checkQueryParameters(seg, policy);
      if (loc) return loc;
    }
    if (mentionsAuthority) {
      const loc = findAuthority(seg, authorities);
      if (loc) return loc;
    }
  }
  return undefined;
}

function checkCxField(seg: Segment, field: number, policy: IndividualNumberPolicy): ErrorLocation | undefined {
  const reps = seg.reps(field);
  for (let r = 0; r < reps.length; r++) {
    const rep = reps[r];
    if (policy.isIndividualNumber({ namespace: rep.get(4, 1), oid: rep.get(4, 2) }, rep.get(5))) {
      return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1 };
    }
  }
  return undefined;
}

/** QPD-3 of a PIX query is a CX; QPD-3 of a PDQ query holds @PID.3.5^<type code> parameters. */
function checkQueryParameters(seg: Segment, policy: IndividualNumberPolicy): ErrorLocation | undefined {
  const loc = checkCxField(seg, 3, policy);
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

function findAuthority(seg: Segment, authorities: ReadonlySet<string>): ErrorLocation | undefined {
  const count = seg.type === 'MSH' ? 21 : 60;
  for (let field = 1; field <= count; field++) {
    const reps = seg.reps(field);
    for (let r = 0; r < reps.length; r++) {
      const rep = reps[r];
      for (let c = 1; c <= rep.componentCount; c++) {
        for (let s = 1; s <= 4; s++) {
          const v = rep.get(c, s);
          if (v && authorities.has(v)) return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1 };
        }
      }
    }
  }
  return undefined;
}
