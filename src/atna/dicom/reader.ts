/**
 * Reads a DICOM audit message (DICOM PS3.15 A.5.1) and validates it against the content model of
 * dicom2017c.xsd in the same pass: element order and occurrences, required and allowed attributes,
 * enumerations and datatypes, namespaces (the schema has no target namespace). The verdict agrees with
 * `xmllint --schema dicom2017c.xsd` (tests prove it on the conformance samples and on cases of our own);
 * it runs in-process on a namespace-aware scanner (xmlScanner.ts), fast enough for the syslog ingest.
 *
 * Two deliberate differences from xmllint: the root must be AuditMessage (the schema would accept any
 * of its global elements as a document), and a DOCTYPE is refused (no DTDs from the network).
 */
import { emptyCode, type ReadAuditMessage, type ReadCode, type ReadDescription, type ReadObject, type ReadParticipant } from './model.ts';
import { AUDIT_SCHEMA, type ElementDecl } from './schema.ts';
import { checkValue } from './xsdTypes.ts';
import { lineAt, scanXml, XmlSyntaxError, type ScanHandler, type ScannedTag } from './xmlScanner.ts';

export interface AuditReading {
  /** The message as far as it could be read; undefined when the XML is not well-formed or not an AuditMessage. */
  message?: ReadAuditMessage;
  /** Why it is not valid: schema errors, or the one well-formedness error. Empty when valid. */
  errors: string[];
  wellFormed: boolean;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';
const MAX_ERRORS = 10;

interface Frame {
  name: string;
  decl?: ElementDecl;
  /** Index of the current particle of an element-only content model, and how often it matched. */
  particle: number;
  count: number;
  text: string;
  /** The model object this element fills. */
  target?: unknown;
}

export class AuditMessageReader {
  private stack: Frame[] = [];
  private errors: string[] = [];
  private message?: ReadAuditMessage;
  private fatal?: string;
  private at = 0;
  private text = '';
  private readonly handler: ScanHandler = {
    open: (tag, at) => {
      this.at = at;
      this.open(tag);
    },
    close: () => this.close(),
    text: (t) => this.onText(t),
  };

  read(xml: string): AuditReading {
    this.stack = [];
    this.errors = [];
    this.message = undefined;
    this.fatal = undefined;
    this.at = 0;
    this.text = xml;
    try {
      scanXml(xml, this.handler);
    } catch (e) {
      if (!(e instanceof XmlSyntaxError)) throw e;
      return { errors: [`not well-formed XML: ${e.message}`], wellFormed: false };
    }
    if (this.fatal) return { errors: [this.fatal], wellFormed: true };
    return { message: this.message, errors: this.errors, wellFormed: true };
  }

  private error(msg: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(`line ${lineAt(this.text.indexOf('\r') >= 0 ? this.text.replace(/\r\n?/g, '\n') : this.text, this.at)}: ${msg}`);
  }

  private open(tag: ScannedTag): void {
    const parent = this.stack[this.stack.length - 1];
    const name = tag.local;
    let decl: ElementDecl | undefined;
    if (!parent) {
      if (tag.uri || name !== 'AuditMessage') {
        this.fatal = `the root element is ${tag.uri ? `{${tag.uri}}` : ''}${name}, not AuditMessage`;
      } else {
        decl = AUDIT_SCHEMA.AuditMessage;
        this.message = newMessage();
      }
    } else if (parent.decl && !this.fatal) {
      if (tag.uri) this.error(`element {${tag.uri}}${name} is not expected in ${parent.name}`);
      else if (this.accept(parent, name)) decl = AUDIT_SCHEMA[name];
    }
    const frame: Frame = { name, decl, particle: 0, count: 0, text: '' };
    this.stack.push(frame);
    if (!decl) return;
    this.checkAttributes(name, decl, tag);
    frame.target = this.model(name, tag, parent);
  }

  /** Advances the parent's content model over a child element; false (with an error) when it does not fit. */
  private accept(parent: Frame, name: string): boolean {
    const content = parent.decl!.content;
    if (content.kind !== 'elements') {
      this.error(`element ${name} is not allowed in ${parent.name}, whose content is ${content.kind === 'empty' ? 'empty' : 'text'}`);
      return false;
    }
    const ps = content.particles;
    while (parent.particle < ps.length) {
      const p = ps[parent.particle];
      if (p.names.includes(name) && parent.count < p.max) {
        parent.count++;
        return true;
      }
      if (parent.count < p.min) break;
      parent.particle++;
      parent.count = 0;
    }
    const p = ps[parent.particle];
    this.error(`element ${name} is not expected in ${parent.name}${p ? `; expected ${p.names.join(' or ')}` : ''}`);
    return false;
  }

  private checkAttributes(name: string, decl: ElementDecl, tag: ScannedTag): void {
    for (const a of tag.attributes) {
      if (a.uri === XMLNS) continue;
      if (a.uri === XSI) {
        if (a.local !== 'schemaLocation' && a.local !== 'noNamespaceSchemaLocation') this.error(`${name}: attribute xsi:${a.local} is not supported`);
        continue;
      }
      const ad = a.uri ? undefined : decl.attributes[a.local];
      if (!ad) {
        this.error(`${name}: attribute ${a.uri ? `{${a.uri}}${a.local}` : a.local} is not allowed`);
        continue;
      }
      const wrong = checkValue(ad.type, a.value);
      if (wrong) this.error(`${name}/@${a.local}: ${wrong}`);
    }
    for (const attr of requiredOf(decl)) {
      if (!hasAttribute(tag, attr)) this.error(`${name}: attribute ${attr} is required`);
    }
  }

  private onText(t: string): void {
    const frame = this.stack[this.stack.length - 1];
    if (!frame?.decl) return;
    const kind = frame.decl.content.kind;
    if (kind === 'simple') frame.text += t;
    else if (kind === 'empty') this.error(`${frame.name}: character content is not allowed, the content is empty`);
    else if (/[^\t\n\r ]/.test(t)) this.error(`${frame.name}: character content is not allowed, the content is elements only`);
  }

  private close(): void {
    const frame = this.stack.pop()!;
    const decl = frame.decl;
    if (!decl) return;
    const content = decl.content;
    if (content.kind === 'elements') {
      const ps = content.particles;
      for (let i = frame.particle; i < ps.length; i++) {
        const have = i === frame.particle ? frame.count : 0;
        if (have < ps[i].min) {
          this.error(`${frame.name}: missing child element ${ps[i].names.join(' or ')}`);
          break;
        }
      }
    } else if (content.kind === 'simple') {
      const wrong = checkValue(content.type, frame.text);
      if (wrong) this.error(`${frame.name}: ${wrong}`);
      this.simpleValue(frame);
    }
  }

  /** Fills the message model from an element's attributes; returns what its children fill. */
  private model(name: string, tag: ScannedTag, parent: Frame | undefined): unknown {
    const m = this.message!;
    const target = parent?.target;
    switch (name) {
      case 'EventIdentification':
        m.actionCode = attribute(tag, 'EventActionCode');
        m.dateTime = attribute(tag, 'EventDateTime');
        m.outcome = attribute(tag, 'EventOutcomeIndicator');
        return m;
      case 'EventID':
        m.eventId = code(tag);
        return undefined;
      case 'EventTypeCode':
        m.eventTypes.push(code(tag));
        return undefined;
      case 'PurposeOfUse':
        m.purposeOfUse.push(code(tag));
        return undefined;
      case 'ActiveParticipant': {
        const p: ReadParticipant = {
          userId: attribute(tag, 'UserID'),
          altUserId: attribute(tag, 'AlternativeUserID'),
          userName: attribute(tag, 'UserName'),
          requestor: attribute(tag, 'UserIsRequestor'),
          networkAccessPointId: attribute(tag, 'NetworkAccessPointID'),
          networkAccessPointTypeCode: attribute(tag, 'NetworkAccessPointTypeCode'),
          roles: [],
        };
        m.participants.push(p);
        return p;
      }
      case 'RoleIDCode':
        (target as ReadParticipant).roles.push(code(tag));
        return undefined;
      case 'MediaIdentifier':
        return target;
      case 'MediaType':
        (target as ReadParticipant).media = code(tag);
        return undefined;
      case 'AuditSourceIdentification':
        m.source.id = attribute(tag, 'AuditSourceID');
        m.source.enterpriseSiteId = attribute(tag, 'AuditEnterpriseSiteID');
        return undefined;
      case 'AuditSourceTypeCode':
        m.source.types.push(code(tag));
        return undefined;
      case 'ParticipantObjectIdentification': {
        const o: ReadObject = {
          id: attribute(tag, 'ParticipantObjectID'),
          typeCode: attribute(tag, 'ParticipantObjectTypeCode'),
          typeCodeRole: attribute(tag, 'ParticipantObjectTypeCodeRole'),
          dataLifeCycle: attribute(tag, 'ParticipantObjectDataLifeCycle'),
          sensitivity: attribute(tag, 'ParticipantObjectSensitivity'),
          details: [],
          descriptions: [],
        };
        m.objects.push(o);
        return o;
      }
      case 'ParticipantObjectIDTypeCode':
        (target as ReadObject).idTypeCode = code(tag);
        return undefined;
      case 'ParticipantObjectName':
      case 'ParticipantObjectQuery':
        return target;
      case 'ParticipantObjectDetail':
        (target as ReadObject).details.push({ type: attribute(tag, 'type'), value: attribute(tag, 'value') });
        return undefined;
      case 'ParticipantObjectDescription': {
        const d: ReadDescription = { mpps: [], accessions: [], sopClasses: [], studies: [] };
        (target as ReadObject).descriptions.push(d);
        return d;
      }
      case 'MPPS':
        (target as ReadDescription).mpps.push(attribute(tag, 'UID'));
        return undefined;
      case 'Accession':
        (target as ReadDescription).accessions.push(attribute(tag, 'Number'));
        return undefined;
      case 'SOPClass': {
        const c = { uid: attribute(tag, 'UID'), numberOfInstances: attribute(tag, 'NumberOfInstances'), instances: [] as string[] };
        (target as ReadDescription).sopClasses.push(c);
        return c;
      }
      case 'Instance':
        (target as { instances: string[] }).instances.push(attribute(tag, 'UID'));
        return undefined;
      case 'ParticipantObjectContainsStudy':
      case 'Encrypted':
      case 'Anonymized':
        return target;
      case 'StudyIDs':
        (target as ReadDescription).studies.push(attribute(tag, 'UID'));
        return undefined;
      default:
        return undefined;
    }
  }

  private simpleValue(frame: Frame): void {
    const m = this.message!;
    switch (frame.name) {
      case 'EventOutcomeDescription':
        m.outcomeDescription = frame.text;
        break;
      case 'ParticipantObjectName':
        (frame.target as ReadObject).name = frame.text.trim();
        break;
      case 'ParticipantObjectQuery':
        (frame.target as ReadObject).query = frame.text.replace(/[\t\n\r ]+/g, '');
        break;
      case 'Encrypted':
        (frame.target as ReadDescription).encrypted = frame.text.trim();
        break;
      case 'Anonymized':
        (frame.target as ReadDescription).anonymized = frame.text.trim();
        break;
    }
  }
}

function newMessage(): ReadAuditMessage {
  return {
    actionCode: '',
    dateTime: '',
    outcome: '',
    eventTypes: [],
    purposeOfUse: [],
    participants: [],
    source: { id: '', enterpriseSiteId: '', types: [] },
    objects: [],
  };
}

const REQUIRED = new Map<ElementDecl, string[]>();

function requiredOf(decl: ElementDecl): string[] {
  let r = REQUIRED.get(decl);
  if (!r) {
    r = Object.entries(decl.attributes)
      .filter(([, a]) => a.required)
      .map(([n]) => n);
    REQUIRED.set(decl, r);
  }
  return r;
}

function hasAttribute(tag: ScannedTag, local: string): boolean {
  for (const a of tag.attributes) if (a.local === local && !a.uri) return true;
  return false;
}

function attribute(tag: ScannedTag, local: string): string {
  for (const a of tag.attributes) if (a.local === local && !a.uri) return a.value;
  return '';
}

/** A coded value in the DICOM form (csd-code), or in the RFC 3881 form (code) read on a best-effort basis. */
function code(tag: ScannedTag): ReadCode {
  const c = emptyCode();
  c.code = attribute(tag, 'csd-code') || attribute(tag, 'code');
  c.codeSystemName = attribute(tag, 'codeSystemName');
  c.originalText = attribute(tag, 'originalText');
  c.displayName = attribute(tag, 'displayName');
  return c;
}
