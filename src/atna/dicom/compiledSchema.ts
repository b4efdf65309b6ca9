/**
 * The audit message schema (schema.ts) in the form the reader walks it, worked out once: each
 * element's children as the elements themselves, and its attributes numbered, so that reading an
 * element looks nothing up by scanning lists.
 */
import { AUDIT_SCHEMA } from './schema.ts';
import type { SimpleType } from './xsdTypes.ts';

export interface CompiledParticle {
  elements: readonly CompiledElement[];
  names: readonly string[];
  min: number;
  max: number;
}

export interface CompiledElement {
  name: string;
  content: 'elements' | 'empty' | 'simple';
  /** Element content: its sequence. */
  particles: readonly CompiledParticle[];
  /** Simple content: its type. */
  type?: SimpleType;
  /**
   * The attribute names the reader looks at, each with its slot (its index here): the declared
   * attributes first (0 to declared - 1, with their types), then the undeclared ones it reads anyway.
   */
  slots: readonly string[];
  declared: number;
  types: readonly SimpleType[];
  /** The required attributes, in the order of the declaration. */
  required: readonly { slot: number; name: string }[];
}

/** The audit message schema compiled; `alsoRead`: attribute names read wherever they appear, declared or not. */
export function compileSchema(alsoRead: readonly string[]): ReadonlyMap<string, CompiledElement> {
  const out = new Map<string, CompiledElement>();
  for (const [name, decl] of Object.entries(AUDIT_SCHEMA)) {
    const declared = Object.keys(decl.attributes);
    const slots = [...declared, ...alsoRead.filter((a) => !declared.includes(a))];
    const c = decl.content;
    out.set(name, {
      name,
      content: c.kind,
      particles: [],
      type: c.kind === 'simple' ? c.type : undefined,
      slots,
      declared: declared.length,
      types: declared.map((a) => decl.attributes[a].type),
      required: declared.filter((a) => decl.attributes[a].required).map((a) => ({ slot: slots.indexOf(a), name: a })),
    });
  }
  for (const [name, decl] of Object.entries(AUDIT_SCHEMA)) {
    if (decl.content.kind !== 'elements') continue;
    out.get(name)!.particles = decl.content.particles.map((p) => ({ elements: p.names.map((n) => out.get(n)!), names: p.names, min: p.min, max: p.max }));
  }
  return out;
}

/** The slot of an attribute name (-1: none). A few names, mostly of different lengths: faster than hashing a fresh string. */
export function slotOf(element: CompiledElement, name: string): number {
  const slots = element.slots;
  for (let i = 0; i < slots.length; i++) if (slots[i] === name) return i;
  return -1;
}
