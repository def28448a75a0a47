export { IS_PUBLIC_KEY, Public } from './public.decorator';
export type { RequestPrincipal } from './request-principal';
export { MAX_BODY_BYTES, RequestBodyMiddleware } from './request-body.middleware';
export { StrictValidationPipe } from './validation.pipe';
