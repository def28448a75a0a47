export type { ClientInfo } from './client-info';
export type { RequestPrincipal } from './request-principal';
export { type Role, ROLES } from './role';
