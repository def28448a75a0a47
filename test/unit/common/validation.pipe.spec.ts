import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ValidationFailedError } from '../../../src/common/errors';
import { StrictValidationPipe } from '../../../src/common/http';

class RenameDto {
  @IsString()
  @MaxLength(5)
  name!: string;

  @IsOptional()
  @IsString()
  nickname?: string;
}

const asBody = { type: 'body', metatype: RenameDto } as const;

async function failure(value: unknown): Promise<ValidationFailedError> {
  try {
    await new StrictValidationPipe().transform(value, asBody);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedError);
    return error as ValidationFailedError;
  }
  throw new Error('expected validation to fail');
}

describe('StrictValidationPipe', () => {
  it('returns a DTO instance for a valid body', async () => {
    const dto = await new StrictValidationPipe().transform({ name: 'Ada' }, asBody);
    expect(dto).toBeInstanceOf(RenameDto);
    expect(dto).toEqual({ name: 'Ada' });
  });

  it('reports each failing field with its messages', async () => {
    const error = await failure({ name: 'far too long', nickname: 7 });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual([
      { field: 'name', messages: ['name must be shorter than or equal to 5 characters'] },
      { field: 'nickname', messages: ['nickname must be a string'] },
    ]);
  });

  it('rejects unknown fields', async () => {
    const error = await failure({ name: 'Ada', role: 'admin' });
    expect(error.details).toEqual([
      { field: 'role', messages: ['property role should not exist'] },
    ]);
  });

  it.each([
    ['an array', [{ name: 'Ada' }]],
    ['a string', 'Ada'],
    ['a number', 42],
    ['null', null],
  ])('rejects %s as the top-level body', async (_case, value) => {
    const error = await failure(value);
    expect(error.details).toEqual([
      { field: '', messages: ['request body must be a JSON object'] },
    ]);
  });

  it('reads a missing body as an empty object, so missing fields are named', async () => {
    const error = await failure(undefined);
    expect(error.details.map((detail) => detail.field)).toEqual(['name']);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'treats %s as an unknown field',
    async (key) => {
      const body = JSON.parse(`{"name":"Ada","${key}":{"isAdmin":true}}`);
      const error = await failure(body);
      expect(error.details).toEqual([
        { field: key, messages: [`property ${key} should not exist`] },
      ]);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    },
  );

  // class-transformer skips keys the DTO instance inherits a function for; they must not pass.
  it.each(['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'])(
    'treats the inherited name %s as an unknown field',
    async (key) => {
      const error = await failure({ name: 'Ada', [key]: 0 });
      expect(error.details).toEqual([
        { field: key, messages: [`property ${key} should not exist`] },
      ]);
    },
  );

  it('treats inherited names as unknown in a query too', async () => {
    const asQuery = { type: 'query', metatype: RenameDto } as const;
    await expect(
      new StrictValidationPipe().transform({ name: 'Ada', toString: '1' }, asQuery),
    ).rejects.toBeInstanceOf(ValidationFailedError);
  });

  it('refuses a string holding a lone surrogate, which is not text', async () => {
    const error = await failure(JSON.parse('{"name":"Ada\\ud800","nickname":"\\udc00x"}'));
    expect(error.details).toEqual([
      { field: 'name', messages: ['name must be well-formed Unicode text'] },
      { field: 'nickname', messages: ['nickname must be well-formed Unicode text'] },
    ]);
  });

  it('accepts astral characters, whose surrogates come in pairs', async () => {
    await expect(new StrictValidationPipe().transform({ name: '😀' }, asBody)).resolves.toEqual({
      name: '😀',
    });
  });

  it('finds prototype keys nested deeper', async () => {
    const error = await failure(JSON.parse('{"name":"Ada","nickname":{"__proto__":{"x":1}}}'));
    expect(error.details).toContainEqual({
      field: 'nickname.__proto__',
      messages: ['property nickname.__proto__ should not exist'],
    });
  });
});
