import { createHmac, randomUUID } from 'node:crypto';
import {
  bearer,
  login,
  promoteToAdmin,
  registerAccount,
  type TestAccount,
} from '../support/accounts';
import type { AppUnderTest } from '../support/test-app';
import type { JsonTree, ParamRef, ParamSpec, TokenRef, TokenSpec, ValueRef } from './arbitraries';

/** A signed-in account whose tokens the fixture keeps current. */
interface Principal {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly sessionId: string;
}

type PrincipalName = 'user' | 'admin';

/** A key as long as the service's, so only its value makes the signature wrong. */
const OTHER_KEY = 'not-the-service-key-but-every-bit-as-long-as-it-is';

/**
 * The accounts, tokens, ids and messages the generated requests name, made through the API.
 * Passwords are random UUIDs, so no generated body can delete an account or change a password;
 * tokens a request may end (logout, logout-all, ending a session) are renewed by the route's
 * success hook, so later runs still get past authentication.
 */
export class FuzzFixture {
  private constructor(
    private readonly testApp: AppUnderTest,
    private readonly principals: Record<PrincipalName, Principal>,
    /** Another user: the owner of a session and a message the user may not end or delete. */
    private readonly other: Principal,
    private readonly frozen: {
      readonly revokedAccess: string;
      readonly revokedRefresh: string;
      readonly deletedUserAccess: string;
      readonly deletedUserId: string;
      /** The user the admin routes may disable and enable: nothing else depends on it. */
      readonly targetId: string;
    },
    private readonly messageIds: { user: string; other: string },
  ) {}

  static async create(testApp: AppUnderTest): Promise<FuzzFixture> {
    const [user, admin, other, target, revoked, deleted] = await Promise.all(
      Array.from({ length: 6 }, () => registerAccount(testApp, { password: `pw-${randomUUID()}` })),
    );
    await promoteToAdmin(testApp, admin.email);
    await testApp.http.post('/auth/logout').set(bearer(revoked.accessToken)).expect(200);
    await testApp.http
      .delete('/users/me')
      .set(bearer(deleted.accessToken))
      .send({ password: deleted.password })
      .expect(204);
    const fixture = new FuzzFixture(
      testApp,
      { user: principal(user), admin: principal(admin) },
      principal(other),
      {
        revokedAccess: revoked.accessToken,
        revokedRefresh: revoked.refreshToken,
        deletedUserAccess: deleted.accessToken,
        deletedUserId: deleted.id,
        targetId: target.id,
      },
      { user: '', other: '' },
    );
    // A fresh pair carries the admin role whether or not the role is read from the token.
    await fixture.renew('admin');
    await fixture.restoreMessages();
    return fixture;
  }

  tokenText(spec: TokenSpec): string {
    if ('ref' in spec) return this.token(spec.ref);
    if ('garbage' in spec) return spec.garbage;
    return this.forge(spec);
  }

  /** Whose tokens a request made with this token may end. */
  principalOf(spec: TokenSpec): PrincipalName | undefined {
    if ('garbage' in spec) return undefined;
    // Forged tokens carry the user's claims.
    return 'ref' in spec && spec.ref === 'adminAccess' ? 'admin' : 'user';
  }

  paramText(spec: ParamSpec): string {
    if ('raw' in spec) return spec.raw;
    const ids: Record<ParamRef, string> = {
      userId: this.principals.user.id,
      adminId: this.principals.admin.id,
      targetId: this.frozen.targetId,
      deletedUserId: this.frozen.deletedUserId,
      userSessionId: this.principals.user.sessionId,
      otherSessionId: this.other.sessionId,
      userMessageId: this.messageIds.user,
      otherMessageId: this.messageIds.other,
    };
    return spec.upperCase ? ids[spec.ref].toUpperCase() : ids[spec.ref];
  }

  /** JSON text of a generated value, with the fixture's tokens and values filled in. */
  jsonText(tree: JsonTree): string {
    if (tree === null || typeof tree !== 'object') return JSON.stringify(tree);
    if (isList(tree)) return `[${tree.map((item: JsonTree) => this.jsonText(item)).join(',')}]`;
    if ('literal' in tree) return tree.literal;
    if ('token' in tree) return JSON.stringify(this.tokenText(tree.token));
    if ('ref' in tree) return JSON.stringify(this.value(tree.ref));
    const members = tree.entries.map(
      ([key, value]) => `${JSON.stringify(key)}:${this.jsonText(value)}`,
    );
    return `{${members.join(',')}}`;
  }

  /** Signs in again: the principal's earlier session may have been ended by the last request. */
  async renew(name: PrincipalName): Promise<void> {
    const current = this.principals[name];
    this.principals[name] = principal({
      ...current,
      ...(await login(this.testApp, current.email, current.password)),
    });
  }

  /** Takes the pair a refresh answered with, as the client would. */
  adopt(name: PrincipalName, pair: { accessToken: string; refreshToken: string }): void {
    this.principals[name] = principal({ ...this.principals[name], ...pair });
  }

  /** Posts the user's and the other user's message again when a request deleted one. */
  async restoreMessages(): Promise<void> {
    const authors = { user: this.principals.user, other: this.other };
    for (const author of ['user', 'other'] as const) {
      const id = this.messageIds[author];
      if (id && (await this.testApp.http.get(`/messages/${id}`)).status === 200) continue;
      const posted = await this.testApp.http
        .post('/messages')
        .set(bearer(authors[author].accessToken))
        .send({ message: `${author}'s message`, ttlSeconds: 86400 })
        .expect(201);
      this.messageIds[author] = posted.body.id;
    }
  }

  private token(ref: TokenRef): string {
    switch (ref) {
      case 'userAccess':
        return this.principals.user.accessToken;
      case 'adminAccess':
        return this.principals.admin.accessToken;
      case 'userRefresh':
        return this.principals.user.refreshToken;
      default:
        return this.frozen[ref];
    }
  }

  private value(ref: ValueRef): string {
    const { email, password } = this.principals.user;
    if (ref === 'userEmail') return email;
    return ref === 'userPassword' ? password : `  ${email.toUpperCase()} `;
  }

  /** The user's access token with one fault, signed here (the test knows the service's key). */
  private forge(spec: Exclude<TokenSpec, { ref: unknown } | { garbage: unknown }>): string {
    const { jwt } = this.testApp.config;
    const now = Math.floor(Date.now() / 1000);
    const user = this.principals.user;
    const claims: Record<string, unknown> = {
      sub: user.id,
      sid: user.sessionId,
      jti: randomUUID(),
      typ: 'access',
      iat: now,
      exp: now + 600,
      iss: jwt.issuer,
      aud: jwt.audience,
    };
    let alg = 'HS256';
    let key = jwt.secret;
    switch (spec.forged) {
      case 'alg-none':
        alg = 'none';
        break;
      case 'alg-hs512':
        alg = 'HS512';
        break;
      case 'other-key':
        key = OTHER_KEY;
        break;
      case 'wrong-iss':
        claims.iss = 'someone-else';
        break;
      case 'wrong-aud':
        claims.aud = 'someone-else';
        break;
      case 'no-iss':
      case 'no-aud':
      case 'no-exp':
      case 'no-typ':
        delete claims[spec.forged.slice(3)];
        break;
      case 'expired':
        Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
        break;
      case 'other-typ':
        claims.typ = 'id';
        break;
      case 'refresh-typ':
        claims.typ = 'refresh';
        break;
      case 'far-exp':
        // Past the range of a JavaScript Date (8.64e15 ms): year 318,857.
        claims.exp = 1e13;
        break;
      case 'claim':
        claims[spec.claim] = spec.value;
        break;
    }
    // A refresh token naming the live session with an unknown jti would be a reuse, which the
    // contract answers by revoking the session: forged ones name no session.
    if (claims.typ === 'refresh') claims.sid = randomUUID();
    return signJwt(alg, claims, key);
  }
}

function principal(account: TestAccount): Principal {
  return { ...account, sessionId: claimsOf(account.accessToken).sid as string };
}

// Array.isArray does not narrow a readonly array type.
const isList = (tree: JsonTree): tree is readonly JsonTree[] => Array.isArray(tree);

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

const HMAC: Record<string, string> = { HS256: 'sha256', HS512: 'sha512' };

function signJwt(alg: string, claims: Record<string, unknown>, key: string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  const signature = HMAC[alg]
    ? createHmac(HMAC[alg], key).update(unsigned).digest('base64url')
    : '';
  return `${unsigned}.${signature}`;
}
