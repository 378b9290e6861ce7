import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordNames } from '../contracts/generated.ts';
import { schemaFiles } from '../contracts/schema-files.ts';
import { recordSchemas } from './record-catalog.ts';

describe('record catalog', () => {
  it('gives every record of schemas/ its avsc Type, named by its full name', () => {
    const records = recordSchemas();
    assert.deepEqual([...records.keys()], recordNames);
    for (const rec of records.values()) assert.equal(rec.type.name, rec.fullName);
  });

  it('refuses schema files that disagree with the generated types', () => {
    const files = schemaFiles();
    const [first, ...rest] = files;
    assert.ok(first);
    assert.throws(
      () => recordSchemas([{ ...first, topic: 'elsewhere' }, ...rest]),
      new RegExp(`${first.file} does not match lib/contracts/generated`),
    );
    assert.throws(() => recordSchemas([{ ...first, name: 'Unknown' }, ...rest]), /run npm run gen:types/);
    assert.throws(() => recordSchemas(rest), new RegExp(`record ${first.name} has no schema file`));
  });
});
