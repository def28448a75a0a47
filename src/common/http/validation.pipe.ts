import {
  type ArgumentMetadata,
  Injectable,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { type FieldError, ValidationFailedError } from '../errors/domain-error';

/**
 * Keys every object inherits (`__proto__`, `constructor`, `toString`, `valueOf`…) and `prototype`:
 * always unknown fields. class-transformer skips a key whose DTO instance already has a function
 * there, so these would otherwise slip past the unknown-field check.
 */
function isInheritedKey(key: string): boolean {
  return key === 'prototype' || key in Object.prototype;
}
/** Half of a UTF-16 pair without its other half: not text, and validators choke on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
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
    const isDto = metadata.metatype !== undefined && metadata.metatype !== Object;
    if (metadata.type === 'body' && isDto) {
      // An empty body is read as an empty object, so the caller learns which fields are missing.
      if (value === undefined) value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationFailedError([
          { field: '', messages: ['request body must be a JSON object'] },
        ]);
      }
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && isDto) {
      const { tooDeep, dangerous, malformed } = inspect(value as object);
      if (tooDeep) {
        throw new ValidationFailedError([
          {
            field: '',
            messages: [`request body must not be nested more than ${MAX_BODY_DEPTH} levels deep`],
          },
        ]);
      }
      if (dangerous.length > 0 || malformed.length > 0) {
        throw new ValidationFailedError([
          ...dangerous.map((field) => ({
            field,
            messages: [`property ${field} should not exist`],
          })),
          ...malformed.map((field) => ({
            field,
            messages: [`${field} must be well-formed Unicode text`],
          })),
        ]);
      }
    }
    return super.transform(value, metadata);
  }
}

interface BodyInspection {
  readonly tooDeep: boolean;
  /** Paths of inherited keys. */
  readonly dangerous: string[];
  /** Paths of strings holding a lone surrogate. */
  readonly malformed: string[];
}

/** Walks the body without recursion: its depth, inherited keys, and strings that are not text. */
function inspect(body: object): BodyInspection {
  const dangerous: string[] = [];
  const malformed: string[] = [];
  const pending: { value: object; path: string; depth: number }[] = [
    { value: body, path: '', depth: 1 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > MAX_BODY_DEPTH) return { tooDeep: true, dangerous, malformed };
    for (const key of Object.keys(next.value)) {
      const path = next.path ? `${next.path}.${key}` : key;
      if (isInheritedKey(key)) dangerous.push(path);
      const child = (next.value as Record<string, unknown>)[key];
      if (typeof child === 'string' && LONE_SURROGATE.test(child)) malformed.push(path);
      if (child !== null && typeof child === 'object')
        pending.push({ value: child, path, depth: next.depth + 1 });
    }
  }
  return { tooDeep: false, dangerous: dangerous.sort(), malformed: malformed.sort() };
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
