/**
 * Our records: each schema file of `schemas/` with its avsc Type, checked against the generated
 * contract types (`lib/contracts/generated.ts`).
 */
import { type RecordName, recordFullNames, recordTopics } from '../contracts/generated.ts';
import { type SchemaFile, schemaFiles } from '../contracts/schema-files.ts';
import { type AvroType, avroTypeOf } from './avro-encoding.ts';

export interface RecordSchema extends SchemaFile {
  name: RecordName;
  type: AvroType;
}

const isRecordName = (name: string): name is RecordName => Object.hasOwn(recordTopics, name);

/**
 * Every record of `schemas/` with its avsc Type. Throws when the schema files and the generated
 * types disagree (run `npm run gen:types`).
 */
export function recordSchemas(files: readonly SchemaFile[] = schemaFiles()): Map<RecordName, RecordSchema> {
  const out = new Map<RecordName, RecordSchema>();
  for (const file of files) {
    const { name } = file;
    if (!isRecordName(name) || recordFullNames[name] !== file.fullName || recordTopics[name] !== file.topic) {
      throw new Error(`${file.file} does not match lib/contracts/generated.ts: run npm run gen:types`);
    }
    out.set(name, { ...file, name, type: avroTypeOf(file.schema) });
  }
  for (const name of Object.keys(recordTopics)) {
    if (!out.has(name as RecordName))
      throw new Error(`record ${name} has no schema file: run npm run gen:types`);
  }
  return out;
}
