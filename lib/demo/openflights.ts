// The demo project's schema: the OpenFlights airline-route database, in the shape used by the
// Fireworks text-to-SQL reinforcement fine-tuning tutorial. Valid DuckDB DDL; descriptions are
// attached with COMMENT ON, the form DuckDB supports.

export const OPENFLIGHTS_DDL = `-- OpenFlights: airlines, airports, aircraft types and the routes between airports.

CREATE TABLE countries (
  name        VARCHAR PRIMARY KEY,
  iso_code    VARCHAR(2) UNIQUE,
  dafif_code  VARCHAR(2)
);

CREATE TABLE airlines (
  airline_id  BIGINT PRIMARY KEY,
  name        VARCHAR NOT NULL,
  alias       VARCHAR,
  iata        VARCHAR(2),
  icao        VARCHAR(3),
  callsign    VARCHAR,
  country     VARCHAR REFERENCES countries (name),
  active      VARCHAR(1) NOT NULL CHECK (active IN ('Y', 'N'))
);

CREATE TABLE airports (
  airport_id  BIGINT PRIMARY KEY,
  name        VARCHAR NOT NULL,
  city        VARCHAR,
  country     VARCHAR REFERENCES countries (name),
  iata        VARCHAR(3),
  icao        VARCHAR(4),
  latitude    DOUBLE NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude   DOUBLE NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  altitude    BIGINT,
  timezone    DOUBLE,
  dst         VARCHAR(1) CHECK (dst IN ('E', 'A', 'S', 'O', 'Z', 'N', 'U')),
  tz_db       VARCHAR,
  type        VARCHAR,
  source      VARCHAR
);

CREATE TABLE planes (
  plane_id    BIGINT PRIMARY KEY,
  name        VARCHAR NOT NULL,
  iata        VARCHAR(3),
  icao        VARCHAR(4)
);

CREATE TABLE routes (
  route_id                BIGINT PRIMARY KEY,
  airline_id              BIGINT REFERENCES airlines (airline_id),
  source_airport_id       BIGINT NOT NULL REFERENCES airports (airport_id),
  destination_airport_id  BIGINT NOT NULL REFERENCES airports (airport_id),
  codeshare               VARCHAR(1) CHECK (codeshare = 'Y'),
  stops                   INTEGER NOT NULL DEFAULT 0 CHECK (stops >= 0),
  equipment               VARCHAR
);

COMMENT ON TABLE countries IS 'Countries, keyed by their English name as used in airlines.country and airports.country';
COMMENT ON COLUMN countries.iso_code IS 'ISO 3166-1 alpha-2 code';
COMMENT ON COLUMN countries.dafif_code IS 'FIPS / DAFIF country code';

COMMENT ON TABLE airlines IS 'Airlines, current and defunct';
COMMENT ON COLUMN airlines.alias IS 'Alternative name of the airline';
COMMENT ON COLUMN airlines.iata IS '2-letter IATA airline code';
COMMENT ON COLUMN airlines.icao IS '3-letter ICAO airline code';
COMMENT ON COLUMN airlines.callsign IS 'Radio callsign';
COMMENT ON COLUMN airlines.country IS 'Country name (countries.name) where the airline is based';
COMMENT ON COLUMN airlines.active IS 'Y if the airline is operating, N if defunct';

COMMENT ON TABLE airports IS 'Airports, train stations and ferry terminals';
COMMENT ON COLUMN airports.city IS 'Main city served';
COMMENT ON COLUMN airports.country IS 'Country name (countries.name)';
COMMENT ON COLUMN airports.iata IS '3-letter IATA airport code';
COMMENT ON COLUMN airports.icao IS '4-letter ICAO airport code';
COMMENT ON COLUMN airports.latitude IS 'Decimal degrees, negative is South';
COMMENT ON COLUMN airports.longitude IS 'Decimal degrees, negative is West';
COMMENT ON COLUMN airports.altitude IS 'Elevation in feet';
COMMENT ON COLUMN airports.timezone IS 'Hours offset from UTC';
COMMENT ON COLUMN airports.dst IS 'Daylight saving time zone: E (Europe), A (US/Canada), S (South America), O (Australia), Z (New Zealand), N (none), U (unknown)';
COMMENT ON COLUMN airports.tz_db IS 'Time zone in tz database format, e.g. Europe/Paris';
COMMENT ON COLUMN airports.type IS 'airport, station, port or unknown';
COMMENT ON COLUMN airports.source IS 'Where the record came from: OurAirports, Legacy or User';

COMMENT ON TABLE planes IS 'Aircraft types';
COMMENT ON COLUMN planes.name IS 'Full aircraft name, e.g. Airbus A320';
COMMENT ON COLUMN planes.iata IS '3-letter IATA aircraft type code';
COMMENT ON COLUMN planes.icao IS '4-letter ICAO aircraft type code';

COMMENT ON TABLE routes IS 'Scheduled routes between two airports flown by an airline';
COMMENT ON COLUMN routes.codeshare IS 'Y if the flight is a codeshare operated by another carrier, else NULL';
COMMENT ON COLUMN routes.stops IS 'Number of stops; 0 for direct flights';
COMMENT ON COLUMN routes.equipment IS 'Space-separated IATA codes of the aircraft types usually flown (planes.iata)';
`;

/** Row counts the demo sandbox is generated with (the seed tutorial's database was small). */
export const OPENFLIGHTS_ROWS: Record<string, number> = {
  countries: 60,
  airlines: 300,
  airports: 800,
  planes: 40,
  routes: 5000,
};
