import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';

// ajv-formats is CommonJS; its default export arrives nested under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const makeAjv = (options: Options): Ajv => {
  const ajv = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
};

/** `/items/0/quantity` → `items[0].quantity` */
const fieldPath = (dataVar: string, instancePath: string): string =>
  instancePath
    .split('/')
    .slice(1)
    .reduce(
      (path, part) =>
        /^\d+$/.test(part)
          ? `${path}[${part}]`
          : `${path}.${part.replaceAll('~1', '/').replaceAll('~0', '~')}`,
      dataVar,
    );

export function describeValidationError(error: FastifySchemaValidationError, dataVar: string): string {
  const path = fieldPath(dataVar, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}.${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${path}.${String(params.additionalProperty)} is not a known field`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Strict request validation: bodies are never coerced or stripped (a wrong type or an unknown field
 * is a 400 naming the field); path and query strings are coerced to their declared types.
 */
export function installStrictValidation(app: FastifyInstance): void {
  const bodyAjv = makeAjv({ coerceTypes: false });
  const stringPartsAjv = makeAjv({ coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : stringPartsAjv).compile(schema),
  );
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const first = errors[0];
    return new Error(first ? describeValidationError(first, dataVar) : `${dataVar} is invalid`);
  });
}
