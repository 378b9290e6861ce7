/** The carriers, and which one ships to a country (a pure function of the destination). */

export const carriers = [
  'DHL',
  'DPD',
  'GLS',
  'UPS',
  'FedEx',
  'Royal Mail',
  'La Poste',
  'PostNord',
  'Japan Post',
] as const;
export type Carrier = (typeof carriers)[number];

/** Carrier of the countries it is the documented choice for; every other country is hashed onto the list. */
const carrierByCountry: Readonly<Record<string, Carrier>> = {
  DE: 'DHL',
  AT: 'DHL',
  CH: 'DHL',
  NL: 'DPD',
  BE: 'DPD',
  LU: 'DPD',
  PL: 'DPD',
  IT: 'GLS',
  ES: 'GLS',
  PT: 'GLS',
  FR: 'La Poste',
  GB: 'Royal Mail',
  IE: 'Royal Mail',
  SE: 'PostNord',
  DK: 'PostNord',
  NO: 'PostNord',
  FI: 'PostNord',
  US: 'UPS',
  CA: 'UPS',
  MX: 'FedEx',
  BR: 'FedEx',
  JP: 'Japan Post',
};

/** The carrier for a served country (upper-case ISO 3166-1 alpha-2): always the same one for a country. */
export function carrierFor(country: string): Carrier {
  const known = carrierByCountry[country];
  if (known !== undefined) return known;
  let hash = 0;
  for (const char of country) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 1_000_003;
  return carriers[hash % carriers.length] ?? 'DHL';
}
