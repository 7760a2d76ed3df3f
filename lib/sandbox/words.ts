// Built-in word lists for fake values. Small on purpose: values should repeat enough that a
// query filtering on a literal ("airlines in Germany", "status = 'shipped'") finds rows.

export const AIRLINE_PREFIXES = [
  "Air", "Trans", "Sky", "Blue", "Royal", "Pacific", "Atlantic", "Nordic", "Global", "Star",
  "Sun", "Jet", "Aero", "Continental", "Southern", "Northern", "Eastern", "Western", "Coastal", "Alpine",
  "Silver", "Golden", "Polar", "Island", "Desert",
] as const;

export const AIRLINE_SUFFIXES = [
  "Airways", "Airlines", "Air", "Aviation", "Express", "Wings", "Connect", "Jet", "Air Lines", "Air Transport",
] as const;

export const CALLSIGN_WORDS = [
  "SPEEDBIRD", "SKYLINE", "CLIPPER", "NORDIC", "SUNRISE", "CONDOR", "FALCON", "EAGLE", "PELICAN", "ALBATROSS",
  "STARWAY", "BLUEJET", "COASTAL", "ALPINE", "POLAR", "ISLANDER", "DESERT", "MERIDIAN", "HORIZON", "ZEPHYR",
] as const;

export const AIRPORT_SUFFIXES = [
  "International Airport", "International Airport", "Airport", "Airport", "Regional Airport", "Municipal Airport", "Airfield",
] as const;

/** Aircraft types: name, IATA code, ICAO code. */
export const AIRCRAFT: readonly (readonly [string, string, string])[] = [
  ["Airbus A320", "320", "A320"], ["Airbus A319", "319", "A319"], ["Airbus A321", "321", "A321"], ["Airbus A330-300", "333", "A333"],
  ["Airbus A330-200", "332", "A332"], ["Airbus A340-300", "343", "A343"], ["Airbus A350-900", "359", "A359"], ["Airbus A380-800", "388", "A388"],
  ["Airbus A220-300", "223", "BCS3"], ["Boeing 737-800", "738", "B738"], ["Boeing 737-700", "73G", "B737"], ["Boeing 737 MAX 8", "7M8", "B38M"],
  ["Boeing 747-400", "744", "B744"], ["Boeing 757-200", "752", "B752"], ["Boeing 767-300", "763", "B763"], ["Boeing 777-300ER", "77W", "B77W"],
  ["Boeing 777-200", "772", "B772"], ["Boeing 787-8", "788", "B788"], ["Boeing 787-9", "789", "B789"], ["Boeing 717", "717", "B712"],
  ["Embraer 175", "E75", "E175"], ["Embraer 190", "E90", "E190"], ["Embraer 195", "E95", "E195"], ["Embraer ERJ-145", "ER4", "E145"],
  ["Bombardier CRJ200", "CR2", "CRJ2"], ["Bombardier CRJ700", "CR7", "CRJ7"], ["Bombardier CRJ900", "CR9", "CRJ9"], ["De Havilland Dash 8-400", "DH4", "DH8D"],
  ["ATR 72", "AT7", "AT72"], ["ATR 42", "AT4", "AT42"], ["McDonnell Douglas MD-83", "M83", "MD83"], ["McDonnell Douglas MD-11", "M11", "MD11"],
  ["Fokker 100", "100", "F100"], ["Saab 340", "SF3", "SF34"], ["Beechcraft 1900", "BEH", "B190"], ["Cessna 208 Caravan", "CN1", "C208"],
  ["Sukhoi Superjet 100", "SU9", "SU95"], ["Comac C919", "919", "C919"], ["Tupolev Tu-204", "T20", "T204"], ["Antonov An-148", "A81", "A148"],
  ["De Havilland Twin Otter", "DHT", "DHC6"], ["Airbus A310", "310", "A310"], ["Boeing 767-400", "764", "B764"], ["Airbus A318", "318", "A318"],
];

export const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CNY", "INR", "BRL", "AUD", "CAD", "CHF"] as const;

/** Small vocabularies for category-like columns, by the column name's last word. */
export const CATEGORY_VOCABULARIES: Record<string, readonly string[]> = {
  status: ["active", "inactive", "pending", "completed", "cancelled"],
  state: ["open", "closed", "pending", "archived"],
  priority: ["low", "medium", "high", "critical"],
  level: ["beginner", "intermediate", "advanced", "expert"],
  tier: ["bronze", "silver", "gold", "platinum"],
  grade: ["A", "B", "C", "D", "E"],
  gender: ["F", "M"],
  role: ["admin", "editor", "viewer", "owner"],
  segment: ["consumer", "corporate", "small business", "enterprise"],
  region: ["North", "South", "East", "West", "Central"],
  channel: ["web", "mobile", "store", "phone", "partner"],
  method: ["card", "cash", "bank transfer", "paypal"],
  mode: ["air", "sea", "road", "rail"],
  stage: ["lead", "qualified", "proposal", "won", "lost"],
  department: ["Sales", "Engineering", "Marketing", "Finance", "Operations", "Support", "HR"],
  genre: ["Drama", "Comedy", "Action", "Documentary", "Thriller", "Romance"],
  kind: ["standard", "premium", "basic"],
  class: ["economy", "premium economy", "business", "first"],
  category: ["Electronics", "Home", "Clothing", "Sports", "Books", "Toys", "Garden", "Beauty"],
  type: ["standard", "premium", "basic", "other"],
  source: ["web", "referral", "partner", "import"],
};

/** Vocabularies that depend on the table as well, keyed by "table.column". */
export const TABLE_CATEGORY_VOCABULARIES: Record<string, readonly string[]> = {
  "airports.type": ["airport", "airport", "airport", "airport", "station", "port", "unknown"],
  "airports.source": ["OurAirports", "OurAirports", "OurAirports", "Legacy", "User"],
};
