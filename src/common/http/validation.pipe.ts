import {
  type ArgumentMetadata,
  Injectable,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { type FieldError, ValidationFailedError } from '../errors/domain-error';

/** Keys that could reach an object's prototype; always treated as unknown fields. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The global validation pipe: whitelisted DTOs, unknown fields rejected, values transformed,
 * and every failure reported as VALIDATION_FAILED with per-field messages.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      // An empty body is read as an empty object, so the caller learns which fields are missing.
      if (value === undefined) value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationFailedError([
          { field: '', messages: ['request body must be a JSON object'] },
        ]);
      }
      const dangerous = findPrototypeKeys(value);
      if (dangerous.length > 0) {
        throw new ValidationFailedError(
          dangerous.map((field) => ({ field, messages: [`property ${field} should not exist`] })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

function findPrototypeKeys(value: object, prefix = ''): string[] {
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) found.push(path);
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') found.push(...findPrototypeKeys(child, path));
  }
  return found;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
