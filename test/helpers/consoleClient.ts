/** A console user over plain HTTP: a cookie jar, the CSRF token of the last page, sign-in. */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/Max-Age=0/.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string): Promise<{ status: number; body: string; res: Response }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookieHeader() }, redirect: 'manual' });
    this.remember(res);
    const body = await res.text();
    const m = /name="_csrf" value="([^"]*)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return { status: res.status, body, res };
  }

  async post(path: string, form: Record<string, string>, opts: { csrf?: string | null } = {}): Promise<{ status: number; body: string; res: Response }> {
    const data = new URLSearchParams(form);
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null) data.set('_csrf', token);
    const res = await fetch(this.base + path, { method: 'POST', headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' }, body: data, redirect: 'manual' });
    this.remember(res);
    const body = await res.text();
    const m = /name="_csrf" value="([^"]*)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return { status: res.status, body, res };
  }

  async signIn(name: string, password: string): Promise<{ status: number; body: string; res: Response }> {
    await this.get('/console/login');
    return this.post('/console/login', { name, password });
  }
}
