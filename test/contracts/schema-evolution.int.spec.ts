/**
 * The schema evolution gate against the real registry (`npm run stack -- up`): the previous commit's
 * contract (and every earlier version in schemas/<topic>/history/), then today's, registered under
 * BACKWARD on subjects of this run's own. An incompatible change fails here, as the registry refuses it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SchemaFile, schemaFiles } from '../../lib/contracts/schema-files.ts';
import {
  freshSubjectPrefix,
  gateInputs,
  registerChains,
  type SchemaVersion,
  schemasAt,
  versionChains,
} from '../support/schema-evolution-gate.ts';

const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

const fileNamed = (name: string): SchemaFile => {
  const file = schemaFiles().find((f) => f.name === name);
  assert.ok(file, `${name} has a schema file`);
  return file;
};

type Field = { name: string; type: unknown; default?: unknown };

/** Today's schema of a record, then a changed one: the chain a broken commit would register. */
function changed(name: string, change: (fields: Field[]) => Field[]): SchemaVersion[] {
  const file = fileNamed(name);
  const schema = structuredClone(file.schema) as { fields: Field[] };
  schema.fields = change(schema.fields);
  return [
    { subject: file.subject, from: file.file, schemaText: file.schemaText },
    { subject: file.subject, from: `${file.file} (changed)`, schemaText: JSON.stringify(schema) },
  ];
}

describe('schema evolution gate (registry, BACKWARD)', () => {
  it('every current schema is BACKWARD compatible with the previous commit and the history files', async (t) => {
    const { current, baselines } = gateInputs();
    for (const baseline of baselines) {
      t.diagnostic(
        'files' in baseline
          ? `baseline ${baseline.ref}: ${baseline.files.length} schema files`
          : `${baseline.unavailable}; comparing with schemas/<topic>/history/ only`,
      );
    }
    const chains = versionChains(current, baselines);
    assert.equal(chains.length >= current.length, true);
    assert.deepEqual(await registerChains(registryUrl, freshSubjectPrefix(), chains), []);
  });

  it('without a previous commit, says so and still checks the history files', async (t) => {
    const missing = schemasAt('no-such-revision-of-this-repository');
    assert.ok('unavailable' in missing);
    t.diagnostic(missing.unavailable);
    const chains = versionChains(schemaFiles(), [missing]);
    assert.ok(
      chains.some((chain) => chain.length > 1),
      'the history files still make chains of two or more',
    );
    assert.deepEqual(await registerChains(registryUrl, freshSubjectPrefix(), chains), []);
  });

  it('fails on a field added without a default (old messages cannot be read)', async () => {
    // Today's files with one broken record, against the same baselines as the real gate.
    const broken = changed('ReserveStock', (fields) => [...fields, { name: 'warehouse', type: 'string' }])[1];
    assert.ok(broken);
    const current = schemaFiles().map((f) =>
      f.subject === broken.subject ? { ...f, file: broken.from, schemaText: broken.schemaText } : f,
    );
    const chains = versionChains(current, gateInputs().baselines);
    const refusals = await registerChains(registryUrl, freshSubjectPrefix(), chains);
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]?.from, 'schemas/inventory-commands/ReserveStock.avsc (changed)');
    assert.equal(refusals[0]?.status, 409);
    assert.match(refusals[0]?.message ?? '', /warehouse/);
  });

  it('fails on a field whose type changed incompatibly', async () => {
    const chain = changed('ProcessPayment', (fields) =>
      fields.map((f) => (f.name === 'orderId' ? { ...f, type: 'long' } : f)),
    );
    const refusals = await registerChains(registryUrl, freshSubjectPrefix(), [chain]);
    assert.deepEqual(
      refusals.map((r) => r.from),
      ['schemas/payment-commands/ProcessPayment.avsc (changed)'],
    );
  });

  it('lets a removed field through, even one without a default: BACKWARD readers ignore it', async () => {
    const chain = changed('ReserveStock', (fields) => fields.filter((f) => f.name !== 'items'));
    assert.deepEqual(await registerChains(registryUrl, freshSubjectPrefix(), [chain]), []);
  });
});
