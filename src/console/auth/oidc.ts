/**
 * Operators' sign-in through the hospital's OpenID Connect provider (OpenID Connect Core 1.0, the
 * authorization code flow with PKCE, RFC 7636), by openid-client:
 *   GET /console/oidc/login      to the provider, with state, nonce and a PKCE challenge kept server-side
 *   GET /console/oidc/callback   the code exchanged and the ID token checked (issuer, audience, nonce,
 *                                signature, expiry); the console role from a claim (console.oidc.roleClaim)
 *                                mapped by console.oidc.roles; no matching role: refused
 * Each sign-in and refusal is audited (User Authentication) naming the user `sub@issuer`.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import * as oidc from 'openid-client';
import type { AuditService } from '../../audit/auditService.ts';
import type { ConsoleOidcConfig, ConsoleRole } from '../../kernel/config.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { Logger } from '../../kernel/logger.ts';
import { authenticationAudit } from '../audited.ts';
import { html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { sendPage, viewOf } from '../web.ts';
import { consoleContext } from './context.ts';
import { ExpiringMap } from './expiringMap.ts';
import { SESSION_COOKIE } from './routes.ts';
import { cookie, setCookie, type Sessions } from './sessions.ts';

const FLOW_COOKIE = 'hie_console_oidc';
const FLOW_TTL_MS = 10 * 60_000;
/** Pending sign-ins kept at most (the oldest dropped first). */
export const MAX_PENDING_FLOWS = 10_000;

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
}

/** The highest console role the claim's values map to, or undefined. */
export function roleOf(claim: unknown, map: ConsoleOidcConfig['roles']): ConsoleRole | undefined {
  const values = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).map(String);
  for (const role of ['admin', 'operator', 'viewer'] as const) if (values.some((v) => map[role].includes(v))) return role;
  return undefined;
}

/** Loopback issuers (tests, a provider on the same machine) may speak plain HTTP; any other must be HTTPS. */
const loopback = (u: URL) => u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

export function oidcRouter(deps: { cfg: ConsoleOidcConfig; sessions: Sessions; audit: AuditService; log: Logger; secure: boolean; clock?: () => number }): Router {
  const router = express.Router();
  const { cfg } = deps;
  const flows = new ExpiringMap<Flow>({ ttlMs: FLOW_TTL_MS, maxEntries: MAX_PENDING_FLOWS }, deps.clock);
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    const issuer = new URL(cfg.issuer);
    discovered ??= oidc
      .discovery(issuer, cfg.clientId, cfg.clientSecret, undefined, loopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        discovered = undefined;
        throw e;
      });
    return discovered;
  };
  const refuse = (req: Request, res: Response, status: number, message: string) => {
    const v = { ...viewOf(req, res), user: undefined };
    sendPage(res, page(v, v.t.signInTitle, html`<p><a href="/console/login">${v.t.signIn}</a></p>`, { status: notice(message, 'error') }), status);
  };

  router.get('/oidc/login', async (req: Request, res: Response) => {
    try {
      const config = await configuration();
      const flow: Flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      const key = randomBytes(24).toString('base64url');
      flows.set(key, flow);
      res.append('Set-Cookie', setCookie(FLOW_COOKIE, key, { secure: deps.secure, maxAgeS: FLOW_TTL_MS / 1000 }).replace('SameSite=Strict', 'SameSite=Lax'));
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: cfg.redirectUri,
        scope: cfg.scopes,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      });
      res.redirect(303, url.href);
    } catch (e) {
      deps.log.warn('console.oidc-unavailable', { error: e instanceof Error ? e.message : String(e) });
      refuse(req, res, 502, viewOf(req, res).t.error);
    }
  });

  router.get('/oidc/callback', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const key = cookie(req.headers.cookie, FLOW_COOKIE);
    const flow = key ? flows.take(key) : undefined;
    res.append('Set-Cookie', setCookie(FLOW_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
    const anonymous = consoleContext(httpContext(req), { kind: 'operator', name: '(oidc)', displayName: '(oidc)', role: 'viewer' });
    if (!flow) {
      await deps.audit.record(authenticationAudit(deps.audit, anonymous, 'login', 4, 'OpenID Connect callback without a pending sign-in'));
      return refuse(req, res, 400, v.t.badCsrf);
    }
    let claims: oidc.IDToken | undefined;
    try {
      const current = new URL(req.originalUrl, cfg.redirectUri);
      const tokens = await oidc.authorizationCodeGrant(await configuration(), current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (e) {
      await deps.audit.record(authenticationAudit(deps.audit, anonymous, 'login', 4, `OpenID Connect sign-in refused: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300)));
      return refuse(req, res, 401, v.t.badLogin);
    }
    const name = `${claims!.sub}@${new URL(cfg.issuer).host}`;
    const shown = typeof claims![cfg.nameClaim] === 'string' ? (claims![cfg.nameClaim] as string).slice(0, 128) : name;
    const role = roleOf(claims![cfg.roleClaim], cfg.roles);
    const user = { kind: 'operator' as const, name, displayName: shown, role: role ?? ('viewer' as const) };
    if (!role) {
      await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), user), 'login', 4, `no console role in claim ${cfg.roleClaim}`));
      return refuse(req, res, 403, v.t.forbidden);
    }
    const session = deps.sessions.create(user);
    await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), session.user), 'login', 0, 'OpenID Connect'));
    res.append('Set-Cookie', setCookie(SESSION_COOKIE, session.id, { secure: deps.secure }));
    // The provider sent the browser here, so a redirect would still be a cross-site navigation, without
    // the SameSite=Strict session cookie; a page of this site moves on instead.
    sendPage(res, html`<!doctype html><html lang="${v.t.lang}"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/console/patients"><title>${v.t.signIn}</title></head><body><main><p><a href="/console/patients">${v.t.navPatients}</a></p></main></body></html>`);
  });
  return router;
}
