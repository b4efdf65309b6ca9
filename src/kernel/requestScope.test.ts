import { expect } from 'chai';
import { currentRequest, inRequest } from './requestScope.ts';

describe('request scope', () => {
  it('follows a request across its awaits, one scope per request, none outside', async () => {
    expect(currentRequest()).to.equal(undefined);
    const seen: string[] = [];
    await Promise.all(
      ['ITI-18', 'ITI-21'].map((t) =>
        inRequest(t, async () => {
          await new Promise((r) => setTimeout(r, 5));
          const scope = currentRequest()!;
          scope.wrote = t === 'ITI-21';
          await Promise.resolve();
          seen.push(`${currentRequest()!.transaction}:${currentRequest()!.wrote}`);
        }),
      ),
    );
    expect(seen.sort()).to.deep.equal(['ITI-18:false', 'ITI-21:true']);
    expect(currentRequest()).to.equal(undefined);
  });
});
