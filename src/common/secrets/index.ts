export { bearerSecretHash, newBearerSecret } from './bearer-secret';
