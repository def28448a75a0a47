export { ADMIN_ERRORS, ApiErrors, AUTH_ERRORS, BODY_ERRORS } from './api-errors.decorator';
export { CurrentUser } from './current-user.decorator';
export { IS_PUBLIC_KEY, Public } from './public.decorator';
export { acceptJsonBodiesOnly, MAX_BODY_BYTES } from './json-body';
export { RoleRequiredError, Roles, RolesGuard } from './roles';
export { BEARER_AUTH } from './swagger';
export { StrictValidationPipe } from './validation.pipe';
export { clientAddressKey, clientIp } from './client-ip';
export { Client, clientInfoOf } from './client-info.decorator';
