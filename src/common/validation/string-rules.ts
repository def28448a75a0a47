import { Transform } from 'class-transformer';
import { ValidateIf, ValidateBy, type ValidationOptions, buildMessage } from 'class-validator';

// C0 and C1 control characters, DEL included.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Rejects NUL and other control characters, which have no place in names and similar text. */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value) => typeof value !== 'string' || !CONTROL_CHARACTERS.test(value),
        defaultMessage: buildMessage(
          (each) => `${each}$property must not contain control characters`,
          options,
        ),
      },
    },
    options,
  );
}

/** Rejects the NUL character: C libraries (bcrypt among them) would cut the string there. */
export function NoNulCharacter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noNulCharacter',
      validator: {
        validate: (value) => typeof value !== 'string' || !value.includes('\u0000'),
        defaultMessage: buildMessage(
          (each) => `${each}$property must not contain NUL characters`,
          options,
        ),
      },
    },
    options,
  );
}

/** A limit in UTF-8 bytes rather than characters (bcrypt reads at most 72 bytes). */
export function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      constraints: [max],
      validator: {
        validate: (value) => typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be at most $constraint1 bytes of UTF-8`,
          options,
        ),
      },
    },
    options,
  );
}

/** Length in Unicode code points, so an emoji counts as one character. */
export function CodePointLength(
  min: number,
  max: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'codePointLength',
      constraints: [min, max],
      validator: {
        validate: (value) => {
          if (typeof value !== 'string') return true;
          const length = [...value].length;
          return length >= min && length <= max;
        },
        defaultMessage: buildMessage(
          (each) => `${each}$property must be from $constraint1 to $constraint2 characters long`,
          options,
        ),
      },
    },
    options,
  );
}

/** Optional, but `null` is not a way to omit it: only an absent field skips validation. */
export function OptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/** Trims strings before validation; other types pass through to fail their type check. */
export function Trim(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
}

/** Trims and lower-cases strings, for emails. */
export function TrimLowercase(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
}
