import { describe, expect, it } from "vitest";
import { openFlightsModel, sampleFixtureValues } from "@/lib/queries/openflights.fixture";
import { generateTemplateQueries } from "@/lib/queries/templates";
import { applyVocabulary, buildVocabulary, glossaryTerm, rewordSeed, seedVocabulary, sqlIdentifiers } from "@/lib/questions/glossary";
import { TEMPLATE_STYLES, writeQuestion } from "@/lib/questions/templates";

describe("glossaryTerm", () => {
  it("takes the short noun phrase a description starts with", () => {
    expect(glossaryTerm("Carriers. Every company that operates a route.")).toBe("carriers");
    expect(glossaryTerm("The elevation: feet above sea level")).toBe("elevation");
    expect(glossaryTerm("Departure airport - where the route starts")).toBe("departure airport");
    expect(glossaryTerm("Hub city — main base")).toBe("hub city");
    expect(glossaryTerm("Airline, current or defunct")).toBe("airline");
    expect(glossaryTerm("Time zone (Olson)")).toBe("time zone");
  });

  it("keeps acronyms, mixed-case names and proper nouns, lower-cases sentence and title case", () => {
    expect(glossaryTerm("ISO country code.")).toBe("ISO country code");
    expect(glossaryTerm("OpenFlights identifier")).toBe("OpenFlights identifier");
    expect(glossaryTerm("Star Alliance status")).toBe("star Alliance status");
    expect(glossaryTerm("Country Of Registration")).toBeNull();
    expect(glossaryTerm("Departure Airport")).toBe("departure airport");
  });

  it("gives no term for long, prepositional or empty descriptions", () => {
    expect(glossaryTerm("Unique identifier assigned to each airline")).toBeNull();
    expect(glossaryTerm("Altitude in feet")).toBeNull();
    expect(glossaryTerm("Number of stops, 0 for direct")).toBeNull();
    expect(glossaryTerm("1234")).toBeNull();
    expect(glossaryTerm("")).toBeNull();
    expect(glossaryTerm(null)).toBeNull();
    expect(glossaryTerm("   . starts with a period")).toBeNull();
  });
});

describe("buildVocabulary", () => {
  it("keys terms by table and table.column, leaving out sensitive entries and unusable descriptions", () => {
    const vocabulary = buildVocabulary([
      { tableName: "Airlines", columnName: "", description: "Carriers. Companies flying routes.", sensitive: false },
      { tableName: "airports", columnName: "altitude", description: "Elevation", sensitive: false },
      { tableName: "airlines", columnName: "callsign", description: "Radio name", sensitive: true },
      { tableName: "airlines", columnName: "iata", description: "The two-letter code assigned by the association", sensitive: false },
    ]);
    expect([...vocabulary]).toEqual([
      ["airlines", "carriers"],
      ["airports.altitude", "elevation"],
    ]);
  });
});

describe("seedVocabulary and rewordSeed", () => {
  const vocabulary = new Map([
    ["airlines", "carriers"],
    ["airports.altitude", "elevation"],
    ["airports.name", "airport name"],
  ]);

  it("reads the identifiers a query names, not its string literals", () => {
    expect([...sqlIdentifiers(`SELECT "Name", count(*) FROM airlines a WHERE a.country = 'airports' -- routes`)].sort()).toEqual(
      ["a", "airlines", "count", "country", "from", "name", "select", "where"],
    );
  });

  it("maps only what the query names, in plural and singular, and skips words two columns share", () => {
    const single = seedVocabulary(openFlightsModel, "SELECT name, altitude FROM airports ORDER BY altitude DESC LIMIT 3", vocabulary);
    expect(Object.fromEntries(single)).toEqual({ altitude: "elevation", name: "airport name" });
    const joined = seedVocabulary(openFlightsModel, "SELECT a.name FROM airlines a JOIN airports p ON p.country = a.country WHERE p.altitude > 5", vocabulary);
    // airlines.name has no term, airports.name has one: "name" could mean either, so it stays.
    expect(Object.fromEntries(joined)).toEqual({ airlines: "carriers", airline: "carrier", altitude: "elevation" });
  });

  it("rewords name slots and possessive paths, never values", () => {
    const seed = rewordSeed(
      {
        kind: "join_filter",
        entity: "routes",
        via: "airline",
        groupColumn: "country",
        value: "airline",
        conditions: [{ column: "airline's country", op: "=", value: "airline" }],
        literals: ["airline"],
      },
      new Map([["airline", "carrier"]]),
    );
    expect(seed).toMatchObject({ via: "carrier", value: "airline", conditions: [{ column: "carrier's country", value: "airline" }], literals: ["airline"] });
    expect(seed.entity).toBe("routes");
  });
});

describe("template questions with a vocabulary", () => {
  const samples = sampleFixtureValues();
  const plain = generateTemplateQueries(openFlightsModel, samples, { seed: 3 });
  const vocabulary = new Map([
    ["airports", "aerodromes"],
    ["airports.altitude", "elevation"],
    ["airlines", "carriers"],
  ]);
  const worded = generateTemplateQueries(openFlightsModel, samples, { seed: 3, vocabulary });

  it("writes the same SQL, with the glossary's words in the questions", () => {
    expect(worded.map((d) => d.sql)).toEqual(plain.map((d) => d.sql));
    const topAltitude = worded.find((d) => d.shape === "top_k" && /FROM airports\b/.test(d.sql) && d.sql.includes("altitude") && !/JOIN/.test(d.sql));
    expect(topAltitude, "a top-k query over airport altitudes").toBeDefined();
    for (const style of TEMPLATE_STYLES) {
      const q = writeQuestion(topAltitude!.question, style, 0);
      expect(q, q).toMatch(/aerodromes/i);
      expect(q).toContain("elevation");
      expect(q).not.toMatch(/\baltitude\b/);
    }
    const mentionsCarriers = worded.filter((d) => /\bairlines\b/.test(d.sql)).map((d) => writeQuestion(d.question, "formal", 0));
    expect(mentionsCarriers.some((q) => /carrier/.test(q))).toBe(true);
  });

  it("keeps every literal verbatim and still states ordering and limits", () => {
    for (const d of worded) {
      for (const style of TEMPLATE_STYLES) {
        const q = writeQuestion(d.question, style, 2);
        for (const literal of d.question.literals) expect(q, `${d.sql}\n${q}`).toContain(literal);
        if (d.shape === "top_k") expect(q).toContain(String(d.question.k));
      }
    }
  });

  it("applies to stored seeds too, for the query they belong to", () => {
    const d = plain.find((x) => x.shape === "count_rows" && /FROM airports\b/.test(x.sql))!;
    expect(writeQuestion(applyVocabulary(d.question, openFlightsModel, d.sql, vocabulary), "concise", 0)).toMatch(/aerodromes/);
  });
});
