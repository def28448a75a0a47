/** The TempMessenger HTTP API as the page uses it: the same routes and error bodies as any client. */

export interface User {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: 'user' | 'admin';
  createdAt: string;
  /** When the address was verified; null until then. */
  emailVerifiedAt: string | null;
  /** Whether each login asks for a second factor (a TOTP code or a recovery code). */
  mfaEnabled: boolean;
}

/** A registration: signed in at once, or (with EMAIL_VERIFICATION=required) once verified. */
export interface Registration {
  message: string;
  user: User;
  signedIn: boolean;
}

/** What happened, and the account as it is now. */
interface AccountAnswer {
  message: string;
  user: User;
}

interface MessageAnswer {
  message: string;
}

/** A login: signed in, or waiting for the second factor, given with this short-lived token. */
export type Login = { user: User } | { mfaToken: string };

/** The second factor of a login: a code from the authenticator app, or a recovery code. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** A TOTP secret to add to an authenticator app; active once a first code confirms it. */
export interface TotpSetup {
  /** Base32, for entry by hand. */
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as an SVG QR code, made by the service. */
  qrSvg: string;
}

/** Single-use codes that stand in for the app's code; shown once, when made. */
interface RecoveryCodes {
  recoveryCodes: string[];
}

export interface Message {
  id: string;
  message: string;
  email: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  expiresInMs: number;
}

export interface SessionItem {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** One entry of the account's security events (its audit trail). */
export interface SecurityEvent {
  id: string;
  event: string;
  at: string;
  ip: string | null;
}

export interface SecurityEventPage {
  items: SecurityEvent[];
  nextCursor: string | null;
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

type SignedIn = TokenPair & { user: User };

interface SecondFactorRequired {
  mfaRequired: true;
  mfaToken: string;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: { field: string; messages: string[] }[];
}

/** An error answer of the API, with its stable code and, for validation, the messages by field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

const REFRESH_TOKEN_KEY = 'tempmessenger.refreshToken';
const REFRESH_LOCK = 'tempmessenger.refresh';

/**
 * Keeps the access token in memory only and the refresh token in localStorage, shared by every
 * tab of the page: the tabs of one browser are one session, and a reload or a new tab stays
 * logged in. A 401 TOKEN_EXPIRED triggers one refresh, shared by the tab's concurrent requests,
 * and one retry. Tabs take turns to refresh (a Web Lock), each with the newest refresh token, so
 * none presents a token another tab has rotated away; without Web Locks, two tabs refreshing at
 * once get the same new token from the service's reuse interval.
 */
export class Api {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  /** Called when the session is over (logged out, revoked, or the refresh token refused). */
  onSignedOut: () => void = () => undefined;
  /** Called when another tab signs in while this one is signed out. */
  onSignedInElsewhere: () => void = () => undefined;

  constructor() {
    // The storage event reports other tabs' writes only: this tab follows their sign-in and out.
    window.addEventListener('storage', (event) => {
      if (event.key !== REFRESH_TOKEN_KEY && event.key !== null) return;
      if (!this.hasSession && this.accessToken !== null) {
        this.accessToken = null;
        this.onSignedOut();
      } else if (this.hasSession && this.accessToken === null && event.oldValue === null) {
        this.onSignedInElsewhere();
      }
    });
  }

  get hasSession(): boolean {
    return localStorage.getItem(REFRESH_TOKEN_KEY) !== null;
  }

  async register(body: {
    firstName: string;
    lastName: string;
    email: string;
    password: string;
  }): Promise<Registration> {
    const answer = await this.call<Partial<TokenPair> & AccountAnswer>(
      'POST',
      '/auth/register',
      body,
    );
    // An account that must verify its address first gets no tokens: it logs in once verified.
    const { accessToken, refreshToken } = answer;
    const signedIn = accessToken !== undefined && refreshToken !== undefined;
    if (signedIn) this.keep({ accessToken, refreshToken });
    return { message: answer.message, user: answer.user, signedIn };
  }

  async login(email: string, password: string): Promise<Login> {
    const answer = await this.call<SignedIn | SecondFactorRequired>('POST', '/auth/login', {
      email,
      password,
    });
    // No tokens yet: they come with the second factor.
    if ('mfaRequired' in answer) return { mfaToken: answer.mfaToken };
    this.keep(answer);
    return { user: answer.user };
  }

  /** The login's second step: the same answer as a login without a second factor. */
  async verifySecondFactor(mfaToken: string, factor: SecondFactor): Promise<User> {
    const answer = await this.call<SignedIn>('POST', '/auth/mfa/verify', { mfaToken, ...factor });
    this.keep(answer);
    return answer.user;
  }

  /** Resumes the browser's session (after a reload, in a new tab); null when there is none. */
  async resume(): Promise<User | null> {
    if (!this.hasSession || !(await this.refresh())) return null;
    return (await this.authorized<{ user: User }>('GET', '/auth/status')).user;
  }

  async logout(): Promise<void> {
    try {
      await this.authorized('POST', '/auth/logout');
    } finally {
      this.forget();
    }
  }

  verifyEmail(token: string): Promise<AccountAnswer> {
    return this.call('POST', '/auth/email/verify', { token });
  }

  requestVerification(): Promise<MessageAnswer> {
    return this.authorized('POST', '/auth/email/verify/request');
  }

  forgotPassword(email: string): Promise<MessageAnswer> {
    return this.call('POST', '/auth/password/forgot', { email });
  }

  resetPassword(token: string, newPassword: string): Promise<MessageAnswer> {
    return this.call('POST', '/auth/password/reset', { token, newPassword });
  }

  changeEmail(newEmail: string, password: string): Promise<MessageAnswer> {
    return this.authorized('POST', '/users/me/email', { newEmail, password });
  }

  confirmEmailChange(token: string): Promise<AccountAnswer> {
    return this.call('POST', '/auth/email/change/confirm', { token });
  }

  setUpTotp(password: string): Promise<TotpSetup> {
    return this.authorized('POST', '/auth/mfa/totp/setup', { password });
  }

  enableTotp(code: string): Promise<MessageAnswer & RecoveryCodes> {
    return this.authorized('POST', '/auth/mfa/totp/enable', { code });
  }

  /** `code` is a code from the app or a recovery code. */
  disableTotp(password: string, code: string): Promise<MessageAnswer> {
    return this.authorized('POST', '/auth/mfa/totp/disable', { password, code });
  }

  /** A new set of recovery codes, for a code from the app; the old set stops working. */
  renewRecoveryCodes(code: string): Promise<RecoveryCodes> {
    return this.authorized('POST', '/auth/mfa/recovery-codes', { code });
  }

  listMessages(): Promise<{ items: Message[] }> {
    return this.call('GET', '/messages?limit=500');
  }

  postMessage(message: string, ttlSeconds: number): Promise<Message> {
    return this.authorized('POST', '/messages', { message, ttlSeconds });
  }

  deleteMessage(id: string): Promise<void> {
    return this.authorized('DELETE', `/messages/${encodeURIComponent(id)}`);
  }

  listSessions(): Promise<{ items: SessionItem[] }> {
    return this.authorized('GET', '/auth/sessions');
  }

  /** The caller's security events, newest first; `cursor` is the previous page's `nextCursor`. */
  listSecurityEvents(limit: number, cursor: string | null): Promise<SecurityEventPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.authorized('GET', `/users/me/security-events?${query.toString()}`);
  }

  endSession(id: string): Promise<void> {
    return this.authorized('DELETE', `/auth/sessions/${encodeURIComponent(id)}`);
  }

  /** Forgets the session's tokens without asking the server (the session is already over). */
  forget(): void {
    this.accessToken = null;
    localStorage.removeItem(REFRESH_TOKEN_KEY);
    this.onSignedOut();
  }

  private async authorized<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.call<T>(method, path, body, true);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'TOKEN_EXPIRED') {
        if (error instanceof ApiError && error.status === 401) this.forget();
        throw error;
      }
    }
    if (!(await this.refresh())) throw new ApiError(401, 'TOKEN_EXPIRED', 'Please log in again.');
    return this.call<T>(method, path, body, true);
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private rotate(): Promise<boolean> {
    if (!('locks' in navigator)) return this.rotateNewest();
    // Web Locks hold across the tabs of the origin; the token is read once this tab holds it.
    return navigator.locks.request(REFRESH_LOCK, () => this.rotateNewest());
  }

  private async rotateNewest(): Promise<boolean> {
    const refreshToken = localStorage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) return false;
    try {
      this.keep(await this.call<TokenPair>('POST', '/auth/refresh', { refreshToken }));
      return true;
    } catch (error) {
      // Only a refusal ends the sign-in: offline (status 0) or a 5xx may pass, so keep the token.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) this.forget();
      return false;
    }
  }

  private keep(pair: TokenPair): void {
    this.accessToken = pair.accessToken;
    localStorage.setItem(REFRESH_TOKEN_KEY, pair.refreshToken);
  }

  private async call<T>(method: string, path: string, body?: unknown, auth = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The service cannot be reached. Check your connection.');
    }
    if (response.status === 204) return undefined as T;
    const answer: unknown = await response.json().catch(() => null);
    if (response.ok) return answer as T;
    const error = answer as ErrorBody | null;
    const fields: Record<string, string> = {};
    for (const detail of error?.details ?? []) fields[detail.field] = detail.messages.join(' ');
    throw new ApiError(
      response.status,
      error?.code ?? 'UNKNOWN',
      error?.message ?? `Request failed (${response.status}).`,
      fields,
    );
  }
}
