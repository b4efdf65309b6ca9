import { expect } from 'chai';
import { setSlot } from '../../ebxml/rim.ts';
import { parseXml } from '../../xml/parse.ts';
import { submitObjectsOf } from '../iti42/transaction.ts';
import { submitObjectsRequest } from '../../../test/helpers/xdsMetadata.ts';
import { partition, workingCopy } from './metadata.ts';
import { assignUuids } from './service.ts';

describe('workingCopy: registration works on a copy of the request objects', () => {
  it('leaves the request as it was through partition, UUID assignment, statuses and slots, so a second run sees the same request', () => {
    const objects = submitObjectsOf(parseXml(submitObjectsRequest({ patientId: 'P1^^^&1.2.3&ISO', docs: [{}, {}], folder: {} })));
    const before = JSON.stringify(objects);
    const run = () => {
      const sub = partition(workingCopy(objects));
      assignUuids(sub);
      for (const o of [...sub.documents, ...sub.submissionSets, ...sub.folders]) {
        o.status = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
        o.lid = o.id;
        o.versionName = '1';
      }
      for (const f of sub.folders) setSlot(f, 'lastUpdateTime', ['20260101000000']);
      return sub;
    };
    const first = run();
    expect(JSON.stringify(objects)).to.equal(before);
    const second = run();
    expect(second.submissionSets, 'the SubmissionSet is still found as one').to.have.length(1);
    expect(second.folders).to.have.length(1);
    expect(second.documents.map((d) => d.id)).not.to.deep.equal(first.documents.map((d) => d.id));
    const ids = new Set([...second.documents, ...second.submissionSets, ...second.folders].map((o) => o.id));
    expect(second.associations.length).to.be.greaterThan(0);
    for (const a of second.associations) expect([ids.has(a.sourceObject), ids.has(a.targetObject)], a.id).to.deep.equal([true, true]);
  });
});
