import {
  type ArgumentMetadata,
  Injectable,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { type FieldError, ValidationFailedError } from '../errors/domain-error';

/** Keys that could reach an object's prototype; always treated as unknown fields. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any DTO goes; deeper bodies would only exhaust the validators' recursion. */
const MAX_BODY_DEPTH = 32;

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
      const { tooDeep, dangerous } = inspect(value);
      if (tooDeep) {
        throw new ValidationFailedError([
          {
            field: '',
            messages: [`request body must not be nested more than ${MAX_BODY_DEPTH} levels deep`],
          },
        ]);
      }
      if (dangerous.length > 0) {
        throw new ValidationFailedError(
          dangerous.map((field) => ({ field, messages: [`property ${field} should not exist`] })),
        );
      }
    }
    return super.transform(value, metadata);
  }
}

/** Walks the body without recursion: its depth, and the paths of prototype keys in it. */
function inspect(body: object): { tooDeep: boolean; dangerous: string[] } {
  const dangerous: string[] = [];
  const pending: { value: object; path: string; depth: number }[] = [
    { value: body, path: '', depth: 1 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > MAX_BODY_DEPTH) return { tooDeep: true, dangerous };
    for (const key of Object.keys(next.value)) {
      const path = next.path ? `${next.path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) dangerous.push(path);
      const child = (next.value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object')
        pending.push({ value: child, path, depth: next.depth + 1 });
    }
  }
  return { tooDeep: false, dangerous: dangerous.sort() };
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
