import { base, en, Faker } from "@faker-js/faker";

// Realistic fake values (names, companies, streets, products, sentences, phone numbers, job
// titles) come from faker's English locale. Each table gets its own instance seeded from the
// sandbox seed, so the values are reproducible and independent of other tables and of other
// sandboxes built at the same time. faker is pinned in package.json: another version may draw
// other values for the same seed.

export type FakeSource = Faker;

export function createFaker(seed: number): FakeSource {
  return new Faker({ locale: [en, base], seed });
}
