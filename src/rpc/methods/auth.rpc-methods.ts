import { Injectable } from '@nestjs/common';
import {
  ACCOUNT_EMAIL_MESSAGES,
  AUTH_MESSAGES,
  AuthService,
  ForgotPasswordDto,
  LoginDto,
  MailedTokenDto,
  MfaVerifyDto,
  secondFactorProofOf,
  RefreshDto,
  RequestAuthenticator,
  ResetPasswordDto,
  toLoginResponse,
  toRegisteredResponse,
  toSignedInResponse,
  toStatusResponse,
} from '../../auth';
import { AccountEmailService, RegistrationDto, toUserResponse } from '../../users';
import { clientInfoOf } from '../../common/http';
import {
  authenticatedMethod,
  publicMethod,
  type RpcCallContext,
  type RpcMethod,
  type RpcMethodTable,
} from '../rpc-method';

/** Sign-in and sessions: the calls of `/auth/*`, through the same authenticator and service. */
@Injectable()
export class AuthRpcMethods {
  readonly methods: RpcMethodTable<
    | 'user.register'
    | 'user.login'
    | 'user.verify'
    | 'auth.mfa.verify'
    | 'auth.refresh'
    | 'auth.logout'
    | 'auth.status'
    | 'auth.email.verify'
    | 'auth.email.verify.request'
    | 'auth.password.forgot'
    | 'auth.password.reset'
  >;

  constructor(
    auth: AuthService,
    accountEmail: AccountEmailService,
    authenticator: RequestAuthenticator,
  ) {
    // Each register or login call counts against AUTH_IP_LIMIT, so a batch buys no extra tries.
    const countSignInAttempt = ({ request }: RpcCallContext) =>
      authenticator.countSignInAttempt(request);

    const login: RpcMethod = publicMethod<LoginDto>({
      params: LoginDto,
      admit: countSignInAttempt,
      handle: async (credentials, { request }) => {
        const account = await authenticator.password(request, credentials);
        return toLoginResponse(await auth.login(account, clientInfoOf(request)));
      },
    });

    this.methods = {
      'user.register': publicMethod<RegistrationDto>({
        params: RegistrationDto,
        admit: countSignInAttempt,
        handle: async (registration, { request }) =>
          toRegisteredResponse(await auth.register(registration, clientInfoOf(request))),
      }),
      'user.login': login,
      // The name the service this one replaces used for login.
      'user.verify': login,
      // The login's second step counts like the login itself.
      'auth.mfa.verify': publicMethod<MfaVerifyDto>({
        params: MfaVerifyDto,
        admit: countSignInAttempt,
        handle: async (body, { request }) => {
          const proof = secondFactorProofOf(body);
          const signedIn = await auth.completeSecondFactor(
            body.mfaToken,
            proof,
            clientInfoOf(request),
          );
          return toSignedInResponse(AUTH_MESSAGES.loggedIn, signedIn);
        },
      }),
      'auth.refresh': publicMethod<RefreshDto>({
        params: RefreshDto,
        handle: ({ refreshToken }, { request }) =>
          auth.refresh(refreshToken, clientInfoOf(request)),
      }),
      'auth.logout': authenticatedMethod({
        handle: async (_params, { caller, request }) => {
          await auth.logout(caller, clientInfoOf(request));
          return { message: AUTH_MESSAGES.loggedOut };
        },
      }),
      'auth.status': authenticatedMethod({
        readOnly: true,
        handle: async (_params, { caller }) => {
          const { user, session } = await auth.status(caller);
          return toStatusResponse(user, session);
        },
      }),
      // The mail routes count against AUTH_IP_LIMIT on REST; so does each call here.
      'auth.email.verify.request': authenticatedMethod({
        admit: countSignInAttempt,
        handle: async (_params, { caller, request }) => {
          await accountEmail.requestVerification(caller.userId, clientInfoOf(request));
          return { message: ACCOUNT_EMAIL_MESSAGES.verificationSent };
        },
      }),
      'auth.email.verify': publicMethod<MailedTokenDto>({
        params: MailedTokenDto,
        tokenIsParam: true,
        admit: countSignInAttempt,
        handle: async ({ token }, { request }) => ({
          message: ACCOUNT_EMAIL_MESSAGES.verified,
          user: toUserResponse(await accountEmail.verifyEmail(token, clientInfoOf(request))),
        }),
      }),
      'auth.password.forgot': publicMethod<ForgotPasswordDto>({
        params: ForgotPasswordDto,
        admit: countSignInAttempt,
        handle: async ({ email }, { request }) => {
          await accountEmail.forgotPassword(email, clientInfoOf(request));
          return { message: ACCOUNT_EMAIL_MESSAGES.resetSent };
        },
      }),
      'auth.password.reset': publicMethod<ResetPasswordDto>({
        params: ResetPasswordDto,
        tokenIsParam: true,
        admit: countSignInAttempt,
        handle: async ({ token, newPassword }, { request }) => {
          await accountEmail.resetPassword(token, newPassword, clientInfoOf(request));
          return { message: ACCOUNT_EMAIL_MESSAGES.reset };
        },
      }),
    };
  }
}
