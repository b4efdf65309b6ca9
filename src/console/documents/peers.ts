/**
 * The part of a patient's document list held in peer regions (XCA): each document marked with its
 * community's name and linked to be opened (peerRoutes.ts), and each community that failed named with its errors, never left out silently.
 * The documents come from the Initiating Gateway's fan-out (xca/peerDocuments.ts), under the same
 * consent as every read.
 */
import { slotValue, type ExtrinsicObject } from '../../ebxml/rim.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import type { CommunityDocuments, PeerDocuments } from '../../xca/peerDocuments.ts';
import { html, type Html } from '../html.ts';
import type { View } from '../layout.ts';
import { code, shownDtm } from './entry.ts';
import { peerDocumentHref } from './peerRoutes.ts';

const uniqueIdOf = (o: ExtrinsicObject) => o.externalIdentifiers.find((x) => x.identificationScheme === DocumentEntrySchemes.uniqueId)?.value.trim();
const link = (base: string, home: string, o: ExtrinsicObject, label: Html) => {
  const id = uniqueIdOf(o);
  return id ? html`<a href="${peerDocumentHref(base, home, id)}">${label}</a>` : label;
};

/** The peers' part of the list, when peers are configured: asked at once, each within its timeout. */
export async function peerDocumentsSection(v: View, peers: PeerDocuments | undefined, ctx: RequestContext, regionalId: string, base: string): Promise<Html> {
  if (!peers?.configured) return html``;
  return peerSection(v, await peers.findDocuments(ctx, regionalId), base);
}

/** base: the list's path; each document links to base/peer/{homeCommunityId}/{uniqueId} (peerRoutes.ts). */
export function peerSection(v: View, found: CommunityDocuments[], base: string): Html {
  if (found.length === 0) return html``;
  const rows = found
    .flatMap((c) => c.documents.map((o) => ({ c, o, date: shownDtm(slotValue(o, 'creationTime')) })))
    .sort((a, b) => b.date.localeCompare(a.date));
  const failed = found.filter((c) => c.failed || c.errors.length > 0);
  return html`<h2>${v.t.peers}</h2>
${failed.map((c) => html`<div class="notice error peer-error" role="alert"><strong>${v.t.peerFailed}: ${c.name}</strong> (${c.homeCommunityId})<ul>${c.errors.map((e) => html`<li>${e.errorCode}: ${e.codeContext}</li>`)}</ul></div>`)}
${rows.length === 0 ? html`<p>${v.t.noDocuments}</p>` : html`<div class="table"><table id="peer-documents"><thead><tr><th scope="col">${v.t.docDate}</th><th scope="col">${v.t.docTitle}</th><th scope="col">${v.t.docClass}</th><th scope="col">${v.t.community}</th></tr></thead>
<tbody>${rows.map(({ c, o, date }) => html`<tr data-community="${c.homeCommunityId}"><td>${date}</td><td>${link(base, c.homeCommunityId, o, html`${o.name[0]?.value || code(o, DocumentEntrySchemes.typeCode).name}`)}</td><td>${code(o, DocumentEntrySchemes.classCode).name}</td><td>${c.name}</td></tr>`)}</tbody></table></div>`}`;
}
