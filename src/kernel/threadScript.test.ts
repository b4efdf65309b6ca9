import { expect } from 'chai';
import { threadScript } from './threadScript.ts';

describe('threadScript', () => {
  it('starts a thread from the sources through its boot file', () => {
    expect(threadScript('file:///app/src/soap/decodeThreads.ts', 'decodeThread').href).to.equal('file:///app/src/soap/decodeThread.boot.mjs');
  });

  it('starts a thread from the build on its compiled module', () => {
    expect(threadScript('file:///app/dist/soap/decodeThreads.js', 'decodeThread').href).to.equal('file:///app/dist/soap/decodeThread.js');
  });
});
