import { expect } from 'chai';
import { escapeHtml, html, Html, trusted } from './html.ts';

describe('console: html tag', () => {
  it('escapes every interpolated value', () => {
    const evil = `<script>alert("x")</script>'&\``;
    const out = html`<p title="${evil}">${evil}</p>`.text;
    expect(out).to.equal('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;&#96;</p>');
    expect(out).not.to.include('<script>');
  });

  it('keeps nested html, renders arrays item by item, and nothing for null, undefined and false', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).to.equal('<ul><li>a&lt;b</li><li>c</li></ul>0');
  });

  it('escapes strings inside arrays too', () => {
    expect(html`${['<i>', html`<b>ok</b>`]}`.text).to.equal('&lt;i&gt;<b>ok</b>');
  });

  it('trusts only what trusted() wraps', () => {
    expect(html`${trusted('<style>a{}</style>')}`.text).to.equal('<style>a{}</style>');
    expect(trusted('x')).to.be.instanceOf(Html);
    expect(escapeHtml('&amp;')).to.equal('&amp;amp;');
  });
});
