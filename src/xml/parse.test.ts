import { expect } from 'chai';
import { parseXml, XmlError } from './parse.ts';

describe('XML reader', () => {
  it('reads namespaces, attributes and Japanese text', () => {
    const root = parseXml('<a:r xmlns:a="urn:a" xmlns="urn:d" x="1" xml:lang="ja"><c>山田 太郎 &amp; <![CDATA[<x>]]></c></a:r>');
    expect(root).to.include({ ns: 'urn:a', local: 'r' });
    expect(root.attrs).to.deep.equal({ x: '1', '{http://www.w3.org/XML/1998/namespace}lang': 'ja' });
    expect(root.children[0]).to.include({ ns: 'urn:d', local: 'c', text: '山田 太郎 & <x>' });
  });

  it('refuses a DOCTYPE: no entity is ever expanded (billion laughs)', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(() => parseXml(bomb)).to.throw(XmlError).with.property('kind', 'doctype');
  });

  it('refuses an undeclared entity, malformed XML, too deep or too large input', () => {
    expect(() => parseXml('<a>&foo;</a>')).to.throw(XmlError).with.property('kind', 'malformed');
    expect(() => parseXml('<a><b></a>')).to.throw(XmlError).with.property('kind', 'malformed');
    expect(() => parseXml('<a><a><a></a></a></a>', { maxBytes: 1000, maxDepth: 2 })).to.throw(XmlError).with.property('kind', 'too-deep');
    expect(() => parseXml('<a>0123456789</a>', { maxBytes: 10, maxDepth: 5 })).to.throw(XmlError).with.property('kind', 'too-large');
  });
});
