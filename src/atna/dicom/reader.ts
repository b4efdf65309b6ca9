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
import { compileSchema, slotOf, type CompiledElement } from './compiledSchema.ts';
import { emptyCode, type ReadAuditMessage, type ReadCode, type ReadDescription, type ReadObject, type ReadParticipant } from './model.ts';
import { checkValue } from './xsdTypes.ts';
import { lineAt, XmlScanner, XmlSyntaxError, type ScanHandler, type ScannedAttributes } from './xmlScanner.ts';

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

/** RFC 3881-style coded values name their code `code`: read too, though not declared. */
const SCHEMA = compileSchema(['code']);
const ROOT = SCHEMA.get('AuditMessage')!;

interface Frame {
  name: string;
  element?: CompiledElement;
  /** Index of the current particle of an element-only content model, and how often it matched. */
  particle: number;
  count: number;
  text: string;
  /** The model object this element fills. */
  target?: unknown;
}

export class AuditMessageReader {
  /** Open elements: frames[0 .. depth - 1], reused from message to message. */
  private readonly frames: Frame[] = [];
  private depth = 0;
  private errors: string[] = [];
  private message?: ReadAuditMessage;
  private fatal?: string;
  private at = 0;
  private text = '';
  /** The values of the attributes of the element being opened, by slot (CompiledElement.slots). */
  private readonly values: (string | undefined)[] = [];
  private readonly scanner = new XmlScanner({
    open: (local, uri, attributes, at) => {
      this.at = at;
      this.open(local, uri, attributes);
    },
    close: () => this.close(),
    text: (t) => this.onText(t),
  } satisfies ScanHandler);

  read(xml: string): AuditReading {
    this.depth = 0;
    this.errors = [];
    this.message = undefined;
    this.fatal = undefined;
    this.at = 0;
    this.text = xml;
    try {
      this.scanner.scan(xml);
    } catch (e) {
      if (!(e instanceof XmlSyntaxError)) throw e;
      return { errors: [`not well-formed XML: ${e.message}`], wellFormed: false };
    } finally {
      for (let i = 0; i < this.frames.length; i++) this.frames[i].target = undefined;
    }
    if (this.fatal) return { errors: [this.fatal], wellFormed: true };
    return { message: this.message, errors: this.errors, wellFormed: true };
  }

  private error(msg: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(`line ${lineAt(this.text.indexOf('\r') >= 0 ? this.text.replace(/\r\n?/g, '\n') : this.text, this.at)}: ${msg}`);
  }

  private open(name: string, uri: string, attributes: ScannedAttributes): void {
    const parent = this.depth > 0 ? this.frames[this.depth - 1] : undefined;
    let element: CompiledElement | undefined;
    if (!parent) {
      if (uri || name !== 'AuditMessage') {
        this.fatal = `the root element is ${uri ? `{${uri}}` : ''}${name}, not AuditMessage`;
      } else {
        element = ROOT;
        this.message = newMessage();
      }
    } else if (parent.element && !this.fatal) {
      if (uri) this.error(`element {${uri}}${name} is not expected in ${parent.name}`);
      else element = this.accept(parent, name);
    }
    let frame = this.frames[this.depth];
    if (!frame) frame = this.frames[this.depth] = { name, particle: 0, count: 0, text: '' };
    frame.name = name;
    frame.element = element;
    frame.particle = 0;
    frame.count = 0;
    frame.text = '';
    frame.target = undefined;
    this.depth++;
    if (!element) return;
    this.checkAttributes(element, attributes);
    frame.target = this.model(element, parent);
  }

  /** Advances the parent's content model over a child element: the child, or undefined (with an error) when it does not fit. */
  private accept(parent: Frame, name: string): CompiledElement | undefined {
    const content = parent.element!;
    if (content.content !== 'elements') {
      this.error(`element ${name} is not allowed in ${parent.name}, whose content is ${content.content === 'empty' ? 'empty' : 'text'}`);
      return undefined;
    }
    const ps = content.particles;
    while (parent.particle < ps.length) {
      const p = ps[parent.particle];
      if (parent.count < p.max) {
        for (const e of p.elements) {
          if (e.name === name) {
            parent.count++;
            return e;
          }
        }
      }
      if (parent.count < p.min) break;
      parent.particle++;
      parent.count = 0;
    }
    const p = ps[parent.particle];
    this.error(`element ${name} is not expected in ${parent.name}${p ? `; expected ${p.names.join(' or ')}` : ''}`);
    return undefined;
  }

  /** Checks the attributes against the declaration, and keeps the values the model reads (this.values). */
  private checkAttributes(element: CompiledElement, attributes: ScannedAttributes): void {
    const name = element.name;
    const values = this.values;
    values.fill(undefined, 0, element.slots.length);
    const { local, uri, value } = attributes;
    for (let k = 0; k < attributes.count; k++) {
      const u = uri[k];
      const l = local[k];
      if (u === XMLNS) continue;
      if (u === XSI) {
        if (l !== 'schemaLocation' && l !== 'noNamespaceSchemaLocation') this.error(`${name}: attribute xsi:${l} is not supported`);
        continue;
      }
      const slot = u ? -1 : slotOf(element, l);
      if (slot >= 0) values[slot] = value[k];
      if (slot < 0 || slot >= element.declared) {
        this.error(`${name}: attribute ${u ? `{${u}}${l}` : l} is not allowed`);
        continue;
      }
      const wrong = checkValue(element.types[slot], value[k]);
      if (wrong) this.error(`${name}/@${l}: ${wrong}`);
    }
    for (const r of element.required) {
      if (values[r.slot] === undefined) this.error(`${name}: attribute ${r.name} is required`);
    }
  }

  /** The value of an attribute of the element being opened ('' when absent). */
  private attribute(element: CompiledElement, name: string): string {
    return this.values[slotOf(element, name)] ?? '';
  }

  private onText(t: string): void {
    const frame = this.depth > 0 ? this.frames[this.depth - 1] : undefined;
    if (!frame?.element) return;
    const kind = frame.element.content;
    if (kind === 'simple') frame.text += t;
    else if (kind === 'empty') this.error(`${frame.name}: character content is not allowed, the content is empty`);
    else if (/[^\t\n\r ]/.test(t)) this.error(`${frame.name}: character content is not allowed, the content is elements only`);
  }

  private close(): void {
    const frame = this.frames[--this.depth];
    const element = frame.element;
    if (!element) return;
    if (element.content === 'elements') {
      const ps = element.particles;
      for (let i = frame.particle; i < ps.length; i++) {
        const have = i === frame.particle ? frame.count : 0;
        if (have < ps[i].min) {
          this.error(`${frame.name}: missing child element ${ps[i].names.join(' or ')}`);
          break;
        }
      }
    } else if (element.content === 'simple') {
      const wrong = checkValue(element.type!, frame.text);
      if (wrong) this.error(`${frame.name}: ${wrong}`);
      this.simpleValue(frame);
    }
  }

  /** Fills the message model from an element's attributes; returns what its children fill. */
  private model(element: CompiledElement, parent: Frame | undefined): unknown {
    const m = this.message!;
    const target = parent?.target;
    switch (element.name) {
      case 'EventIdentification':
        m.actionCode = this.attribute(element, 'EventActionCode');
        m.dateTime = this.attribute(element, 'EventDateTime');
        m.outcome = this.attribute(element, 'EventOutcomeIndicator');
        return m;
      case 'EventID':
        m.eventId = this.code(element);
        return undefined;
      case 'EventTypeCode':
        m.eventTypes.push(this.code(element));
        return undefined;
      case 'PurposeOfUse':
        m.purposeOfUse.push(this.code(element));
        return undefined;
      case 'ActiveParticipant': {
        const p: ReadParticipant = {
          userId: this.attribute(element, 'UserID'),
          altUserId: this.attribute(element, 'AlternativeUserID'),
          userName: this.attribute(element, 'UserName'),
          requestor: this.attribute(element, 'UserIsRequestor'),
          networkAccessPointId: this.attribute(element, 'NetworkAccessPointID'),
          networkAccessPointTypeCode: this.attribute(element, 'NetworkAccessPointTypeCode'),
          roles: [],
        };
        m.participants.push(p);
        return p;
      }
      case 'RoleIDCode':
        (target as ReadParticipant).roles.push(this.code(element));
        return undefined;
      case 'MediaIdentifier':
        return target;
      case 'MediaType':
        (target as ReadParticipant).media = this.code(element);
        return undefined;
      case 'AuditSourceIdentification':
        m.source.id = this.attribute(element, 'AuditSourceID');
        m.source.enterpriseSiteId = this.attribute(element, 'AuditEnterpriseSiteID');
        return undefined;
      case 'AuditSourceTypeCode':
        m.source.types.push(this.code(element));
        return undefined;
      case 'ParticipantObjectIdentification': {
        const o: ReadObject = {
          id: this.attribute(element, 'ParticipantObjectID'),
          typeCode: this.attribute(element, 'ParticipantObjectTypeCode'),
          typeCodeRole: this.attribute(element, 'ParticipantObjectTypeCodeRole'),
          dataLifeCycle: this.attribute(element, 'ParticipantObjectDataLifeCycle'),
          sensitivity: this.attribute(element, 'ParticipantObjectSensitivity'),
          details: [],
          descriptions: [],
        };
        m.objects.push(o);
        return o;
      }
      case 'ParticipantObjectIDTypeCode':
        (target as ReadObject).idTypeCode = this.code(element);
        return undefined;
      case 'ParticipantObjectName':
      case 'ParticipantObjectQuery':
        return target;
      case 'ParticipantObjectDetail':
        (target as ReadObject).details.push({ type: this.attribute(element, 'type'), value: this.attribute(element, 'value') });
        return undefined;
      case 'ParticipantObjectDescription': {
        const d: ReadDescription = { mpps: [], accessions: [], sopClasses: [], studies: [] };
        (target as ReadObject).descriptions.push(d);
        return d;
      }
      case 'MPPS':
        (target as ReadDescription).mpps.push(this.attribute(element, 'UID'));
        return undefined;
      case 'Accession':
        (target as ReadDescription).accessions.push(this.attribute(element, 'Number'));
        return undefined;
      case 'SOPClass': {
        const c = { uid: this.attribute(element, 'UID'), numberOfInstances: this.attribute(element, 'NumberOfInstances'), instances: [] as string[] };
        (target as ReadDescription).sopClasses.push(c);
        return c;
      }
      case 'Instance':
        (target as { instances: string[] }).instances.push(this.attribute(element, 'UID'));
        return undefined;
      case 'ParticipantObjectContainsStudy':
      case 'Encrypted':
      case 'Anonymized':
        return target;
      case 'StudyIDs':
        (target as ReadDescription).studies.push(this.attribute(element, 'UID'));
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

  /** A coded value in the DICOM form (csd-code), or in the RFC 3881 form (code) read on a best-effort basis. */
  private code(element: CompiledElement): ReadCode {
    const c = emptyCode();
    c.code = this.attribute(element, 'csd-code') || this.attribute(element, 'code');
    c.codeSystemName = this.attribute(element, 'codeSystemName');
    c.originalText = this.attribute(element, 'originalText');
    c.displayName = this.attribute(element, 'displayName');
    return c;
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
