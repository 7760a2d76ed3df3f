// An OpenFlights-like schema for tests: countries, airlines, airports, planes and routes, with
// routes referencing airlines and (twice) airports.
import type { ColumnModel, SchemaModel, SemanticType, TableModel } from "@/lib/schema/model";

function column(name: string, type: string, semanticType: SemanticType, extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType, ...extra };
}
const pk = (name: string, type = "INTEGER"): ColumnModel =>
  column(name, type, type === "INTEGER" ? "id" : "name", { nullable: false, primaryKey: true });

function table(name: string, columns: ColumnModel[], foreignKeys: TableModel["foreignKeys"] = []): TableModel {
  return { name, columns, primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name), uniqueKeys: [], foreignKeys, checks: [] };
}

export const openFlightsModel: SchemaModel = {
  dialect: "duckdb",
  tables: [
    table("countries", [pk("name", "VARCHAR"), column("iso_code", "VARCHAR", "code"), column("dafif_code", "VARCHAR", "code")]),
    table(
      "airlines",
      [
        pk("id"),
        column("name", "VARCHAR", "name", { nullable: false }),
        column("iata", "VARCHAR", "code"),
        column("callsign", "VARCHAR", "text"),
        column("country", "VARCHAR", "country"),
        column("active", "VARCHAR", "category", { allowedValues: ["Y", "N"] }),
        column("founded", "DATE", "date"),
      ],
      [{ columns: ["country"], refTable: "countries", refColumns: ["name"] }],
    ),
    table("airports", [
      pk("id"),
      column("name", "VARCHAR", "name", { nullable: false }),
      column("city", "VARCHAR", "city"),
      column("country", "VARCHAR", "country"),
      column("iata", "VARCHAR", "code"),
      column("latitude", "DOUBLE", "latitude"),
      column("longitude", "DOUBLE", "longitude"),
      column("altitude", "INTEGER", "number"),
      column("tz", "VARCHAR", "category"),
    ]),
    table("planes", [column("name", "VARCHAR", "name", { nullable: false }), pk("iata", "VARCHAR"), column("icao", "VARCHAR", "code")]),
    table(
      "routes",
      [
        pk("id"),
        column("airline_id", "INTEGER", "id", { nullable: false }),
        column("source_airport_id", "INTEGER", "id", { nullable: false }),
        column("destination_airport_id", "INTEGER", "id", { nullable: false }),
        column("codeshare", "BOOLEAN", "boolean"),
        column("stops", "INTEGER", "number"),
        column("equipment", "VARCHAR", "code"),
      ],
      [
        { columns: ["airline_id"], refTable: "airlines", refColumns: ["id"] },
        { columns: ["source_airport_id"], refTable: "airports", refColumns: ["id"] },
        { columns: ["destination_airport_id"], refTable: "airports", refColumns: ["id"] },
      ],
    ),
  ],
};

type Row = (string | number | boolean | null)[];

const COUNTRIES: Row[] = [
  ["Finland", "FI", "FI"],
  ["France", "FR", "FR"],
  ["Côte d'Ivoire", "CI", "IV"],
  ["Japan", "JP", "JA"],
  ["Canada", "CA", "CA"],
];
const AIRLINES: Row[] = [
  [1, "Finnair", "AY", "FINNAIR", "Finland", "Y", "1923-11-01"],
  [2, "Air France", "AF", "AIRFRANS", "France", "Y", "1933-10-07"],
  [3, "Air Côte d'Ivoire", "HF", "COTE DIVOIRE", "Côte d'Ivoire", "Y", "2012-02-01"],
  [4, "Japan Airlines", "JL", "JAPANAIR", "Japan", "Y", "1951-08-01"],
  [5, "Air Canada", "AC", "AIR CANADA", "Canada", "Y", "1937-04-10"],
  [6, "Nordic Regional", null, "NORDIC", "Finland", "N", "2011-03-15"],
  [7, "Transat", "TS", "TRANSAT", "Canada", "Y", null],
  [8, "Old Air", null, null, null, "N", "1951-01-01"],
];
const AIRPORTS: Row[] = [
  [1, "Helsinki Vantaa Airport", "Helsinki", "Finland", "HEL", 60.3172, 24.9633, 179, "Europe/Helsinki"],
  [2, "Oulu Airport", "Oulu", "Finland", "OUL", 64.93, 25.3546, 47, "Europe/Helsinki"],
  [3, "Charles de Gaulle", "Paris", "France", "CDG", 49.0128, 2.55, 392, "Europe/Paris"],
  [4, "Nice Cote d'Azur", "Nice", "France", "NCE", 43.6584, 7.2159, 12, "Europe/Paris"],
  [5, "Felix Houphouet Boigny", "Abidjan", "Côte d'Ivoire", "ABJ", 5.2614, -3.9263, 21, "Africa/Abidjan"],
  [6, "Narita International", "Tokyo", "Japan", "NRT", 35.7647, 140.386, 141, "Asia/Tokyo"],
  [7, "Haneda", "Tokyo", "Japan", "HND", 35.5523, 139.78, 35, "Asia/Tokyo"],
  [8, "Toronto Pearson", "Toronto", "Canada", "YYZ", 43.6772, -79.6306, 569, "America/Toronto"],
  [9, "Vancouver International", "Vancouver", "Canada", "YVR", 49.1939, -123.184, 14, "America/Vancouver"],
  [10, "Calgary International", "Calgary", "Canada", "YYC", 51.1139, -114.02, 3557, "America/Edmonton"],
  [11, "Ivalo Airport", "Ivalo", "Finland", "IVL", 68.6073, 27.4053, 481, "Europe/Helsinki"],
  [12, "Lonely Field", "Nowhere", "Mexico", null, null, null, null, null],
];
const PLANES: Row[] = [
  ["Airbus A320", "320", "A320"],
  ["Boeing 737-800", "738", "B738"],
  ["Embraer 190", "E90", "E190"],
  ["Canadair Regional Jet 200", "CR2", "CRJ2"],
];

function buildRoutes(): Row[] {
  const equipment = ["320", "738", "E90", "CR2", null];
  const rows: Row[] = [];
  let id = 1;
  for (let i = 0; i < 40; i++) {
    const airline = (i % 7) + 1;
    const source = (i % 11) + 1;
    const destination = ((i * 5 + 3) % 11) + 1;
    if (source === destination) continue;
    rows.push([id++, airline, source, destination, i % 6 === 0, i % 9 === 0 ? 1 : 0, equipment[i % equipment.length]]);
  }
  return rows;
}

export const openFlightsRows: Record<string, Row[]> = {
  countries: COUNTRIES,
  airlines: AIRLINES,
  airports: AIRPORTS,
  planes: PLANES,
  routes: buildRoutes(),
};

/** Distinct non-null values per "table.column", most frequent first, the way the sandbox sampler returns them. */
export function sampleFixtureValues(perColumn = 12): Record<string, (string | number | boolean | null)[]> {
  const samples: Record<string, (string | number | boolean | null)[]> = {};
  for (const t of openFlightsModel.tables) {
    const rows = openFlightsRows[t.name];
    t.columns.forEach((c, i) => {
      const counts = new Map<string | number | boolean, number>();
      for (const row of rows) if (row[i] !== null) counts.set(row[i] as string | number | boolean, (counts.get(row[i] as string | number | boolean) ?? 0) + 1);
      samples[`${t.name}.${c.name}`] = [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
        .slice(0, perColumn)
        .map(([value]) => value);
    });
  }
  return samples;
}
