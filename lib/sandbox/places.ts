// A built-in gazetteer: countries with their codes and time zones, and a few real cities each
// with approximate coordinates. Columns that hold countries, cities, coordinates, time zones
// or country codes draw from one place per row, so a row never says "Lyon, Japan".

export interface Country {
  name: string;
  iso2: string;
  /** FIPS 10-4 / DAFIF code. */
  fips: string;
  /** Standard UTC offset in hours. */
  utcOffset: number;
  tzdb: string;
  /** OpenFlights DST zone letter: E, A, S, O, Z, N or U. */
  dst: string;
  cities: readonly { name: string; lat: number; lon: number }[];
}

export interface Place {
  country: Country;
  city: string;
  lat: number;
  lon: number;
}

// name|iso2|fips|utc offset|tz database name|dst|city:lat:lon;city:lat:lon
const RAW = `United States|US|US|-5|America/New_York|A|New York:40.71:-74.01;Los Angeles:34.05:-118.24;Chicago:41.88:-87.63;Houston:29.76:-95.37;Atlanta:33.75:-84.39;Denver:39.74:-104.99;Seattle:47.61:-122.33;Miami:25.76:-80.19
Canada|CA|CA|-5|America/Toronto|A|Toronto:43.65:-79.38;Vancouver:49.28:-123.12;Montreal:45.50:-73.57;Calgary:51.05:-114.07
Mexico|MX|MX|-6|America/Mexico_City|S|Mexico City:19.43:-99.13;Guadalajara:20.66:-103.35;Cancun:21.16:-86.85
Brazil|BR|BR|-3|America/Sao_Paulo|S|Sao Paulo:-23.55:-46.63;Rio de Janeiro:-22.91:-43.17;Brasilia:-15.79:-47.88;Salvador:-12.97:-38.50
Argentina|AR|AR|-3|America/Argentina/Buenos_Aires|S|Buenos Aires:-34.60:-58.38;Cordoba:-31.42:-64.18;Mendoza:-32.89:-68.84
Chile|CL|CI|-4|America/Santiago|S|Santiago:-33.45:-70.67;Punta Arenas:-53.16:-70.91
Peru|PE|PE|-5|America/Lima|N|Lima:-12.05:-77.04;Cusco:-13.53:-71.97
Colombia|CO|CO|-5|America/Bogota|N|Bogota:4.71:-74.07;Medellin:6.24:-75.58;Cartagena:10.39:-75.48
Venezuela|VE|VE|-4|America/Caracas|N|Caracas:10.48:-66.90;Maracaibo:10.65:-71.64
Ecuador|EC|EC|-5|America/Guayaquil|N|Quito:-0.18:-78.47;Guayaquil:-2.17:-79.92
Cuba|CU|CU|-5|America/Havana|A|Havana:23.11:-82.37;Santiago de Cuba:20.02:-75.82
Panama|PA|PM|-5|America/Panama|N|Panama City:8.98:-79.52
United Kingdom|GB|UK|0|Europe/London|E|London:51.51:-0.13;Manchester:53.48:-2.24;Edinburgh:55.95:-3.19;Birmingham:52.49:-1.89
Ireland|IE|EI|0|Europe/Dublin|E|Dublin:53.35:-6.26;Cork:51.90:-8.47
France|FR|FR|1|Europe/Paris|E|Paris:48.86:2.35;Lyon:45.76:4.84;Marseille:43.30:5.37;Nice:43.70:7.27;Toulouse:43.60:1.44
Germany|DE|GM|1|Europe/Berlin|E|Berlin:52.52:13.40;Munich:48.14:11.58;Frankfurt:50.11:8.68;Hamburg:53.55:9.99;Cologne:50.94:6.96
Spain|ES|SP|1|Europe/Madrid|E|Madrid:40.42:-3.70;Barcelona:41.39:2.17;Malaga:36.72:-4.42;Palma:39.57:2.65
Portugal|PT|PO|0|Europe/Lisbon|E|Lisbon:38.72:-9.14;Porto:41.15:-8.61;Faro:37.02:-7.93
Italy|IT|IT|1|Europe/Rome|E|Rome:41.90:12.50;Milan:45.46:9.19;Naples:40.85:14.27;Venice:45.44:12.32
Netherlands|NL|NL|1|Europe/Amsterdam|E|Amsterdam:52.37:4.90;Rotterdam:51.92:4.48;Eindhoven:51.44:5.47
Belgium|BE|BE|1|Europe/Brussels|E|Brussels:50.85:4.35;Antwerp:51.22:4.40
Switzerland|CH|SZ|1|Europe/Zurich|E|Zurich:47.38:8.54;Geneva:46.20:6.14;Basel:47.56:7.59
Austria|AT|AU|1|Europe/Vienna|E|Vienna:48.21:16.37;Salzburg:47.81:13.06;Innsbruck:47.27:11.40
Denmark|DK|DA|1|Europe/Copenhagen|E|Copenhagen:55.68:12.57;Aarhus:56.16:10.20
Norway|NO|NO|1|Europe/Oslo|E|Oslo:59.91:10.75;Bergen:60.39:5.32;Tromso:69.65:18.96
Sweden|SE|SW|1|Europe/Stockholm|E|Stockholm:59.33:18.07;Gothenburg:57.71:11.97;Malmo:55.60:13.00
Finland|FI|FI|2|Europe/Helsinki|E|Helsinki:60.17:24.94;Oulu:65.01:25.47
Iceland|IS|IC|0|Atlantic/Reykjavik|N|Reykjavik:64.15:-21.94
Poland|PL|PL|1|Europe/Warsaw|E|Warsaw:52.23:21.01;Krakow:50.06:19.94;Gdansk:54.35:18.65
Czech Republic|CZ|EZ|1|Europe/Prague|E|Prague:50.08:14.44;Brno:49.20:16.61
Hungary|HU|HU|1|Europe/Budapest|E|Budapest:47.50:19.04;Debrecen:47.53:21.63
Romania|RO|RO|2|Europe/Bucharest|E|Bucharest:44.43:26.10;Cluj-Napoca:46.77:23.60
Greece|GR|GR|2|Europe/Athens|E|Athens:37.98:23.73;Thessaloniki:40.64:22.94;Heraklion:35.34:25.14
Turkey|TR|TU|3|Europe/Istanbul|N|Istanbul:41.01:28.98;Ankara:39.93:32.86;Antalya:36.90:30.71;Izmir:38.42:27.14
Russia|RU|RS|3|Europe/Moscow|N|Moscow:55.76:37.62;Saint Petersburg:59.93:30.34;Novosibirsk:55.01:82.93;Kazan:55.79:49.12
Ukraine|UA|UP|2|Europe/Kiev|E|Kyiv:50.45:30.52;Odesa:46.48:30.72;Lviv:49.84:24.03
Egypt|EG|EG|2|Africa/Cairo|N|Cairo:30.04:31.24;Alexandria:31.20:29.92;Hurghada:27.26:33.81
Morocco|MA|MO|0|Africa/Casablanca|N|Casablanca:33.57:-7.59;Marrakesh:31.63:-8.01;Tangier:35.76:-5.83
Nigeria|NG|NI|1|Africa/Lagos|N|Lagos:6.52:3.38;Abuja:9.08:7.40;Kano:12.00:8.52
Kenya|KE|KE|3|Africa/Nairobi|N|Nairobi:-1.29:36.82;Mombasa:-4.04:39.67
Ethiopia|ET|ET|3|Africa/Addis_Ababa|N|Addis Ababa:9.03:38.74
South Africa|ZA|SF|2|Africa/Johannesburg|N|Johannesburg:-26.20:28.05;Cape Town:-33.92:18.42;Durban:-29.86:31.03
Ghana|GH|GH|0|Africa/Accra|N|Accra:5.60:-0.19;Kumasi:6.69:-1.62
Tanzania|TZ|TZ|3|Africa/Dar_es_Salaam|N|Dar es Salaam:-6.79:39.21;Zanzibar:-6.17:39.20
Saudi Arabia|SA|SA|3|Asia/Riyadh|N|Riyadh:24.71:46.68;Jeddah:21.49:39.19;Dammam:26.42:50.09
United Arab Emirates|AE|AE|4|Asia/Dubai|N|Dubai:25.20:55.27;Abu Dhabi:24.45:54.38
Qatar|QA|QA|3|Asia/Qatar|N|Doha:25.29:51.53
Israel|IL|IS|2|Asia/Jerusalem|E|Tel Aviv:32.09:34.78;Eilat:29.56:34.95
Iran|IR|IR|3.5|Asia/Tehran|E|Tehran:35.69:51.39;Mashhad:36.30:59.61;Isfahan:32.65:51.67
Pakistan|PK|PK|5|Asia/Karachi|N|Karachi:24.86:67.01;Lahore:31.55:74.34;Islamabad:33.68:73.05
India|IN|IN|5.5|Asia/Calcutta|N|Mumbai:19.08:72.88;Delhi:28.70:77.10;Bangalore:12.97:77.59;Chennai:13.08:80.27;Kolkata:22.57:88.36;Hyderabad:17.39:78.49
Bangladesh|BD|BG|6|Asia/Dhaka|N|Dhaka:23.81:90.41;Chittagong:22.36:91.78
Thailand|TH|TH|7|Asia/Bangkok|N|Bangkok:13.76:100.50;Phuket:7.88:98.39;Chiang Mai:18.79:98.98
Vietnam|VN|VM|7|Asia/Saigon|N|Hanoi:21.03:105.85;Ho Chi Minh City:10.82:106.63;Da Nang:16.05:108.22
Malaysia|MY|MY|8|Asia/Kuala_Lumpur|N|Kuala Lumpur:3.14:101.69;Penang:5.41:100.33;Kota Kinabalu:5.98:116.07
Singapore|SG|SN|8|Asia/Singapore|N|Singapore:1.35:103.82
Indonesia|ID|ID|7|Asia/Jakarta|N|Jakarta:-6.21:106.85;Denpasar:-8.65:115.22;Surabaya:-7.25:112.75;Medan:3.60:98.67
Philippines|PH|RP|8|Asia/Manila|N|Manila:14.60:120.98;Cebu:10.32:123.89;Davao:7.19:125.46
China|CN|CH|8|Asia/Shanghai|N|Beijing:39.90:116.41;Shanghai:31.23:121.47;Guangzhou:23.13:113.26;Chengdu:30.57:104.07;Shenzhen:22.54:114.06;Xi'an:34.34:108.94
Hong Kong|HK|HK|8|Asia/Hong_Kong|N|Hong Kong:22.32:114.17
Taiwan|TW|TW|8|Asia/Taipei|N|Taipei:25.03:121.57;Kaohsiung:22.63:120.30
South Korea|KR|KS|9|Asia/Seoul|N|Seoul:37.57:126.98;Busan:35.18:129.08;Jeju:33.50:126.53
Japan|JP|JA|9|Asia/Tokyo|N|Tokyo:35.68:139.69;Osaka:34.69:135.50;Sapporo:43.06:141.35;Fukuoka:33.59:130.40;Okinawa:26.21:127.68
Australia|AU|AS|10|Australia/Sydney|O|Sydney:-33.87:151.21;Melbourne:-37.81:144.96;Brisbane:-27.47:153.03;Perth:-31.95:115.86;Adelaide:-34.93:138.60
New Zealand|NZ|NZ|12|Pacific/Auckland|Z|Auckland:-36.85:174.76;Wellington:-41.29:174.78;Christchurch:-43.53:172.64
Fiji|FJ|FJ|12|Pacific/Fiji|N|Nadi:-17.80:177.42;Suva:-18.14:178.44`;

export const COUNTRIES: readonly Country[] = RAW.split("\n").map((line) => {
  const [name, iso2, fips, offset, tzdb, dst, cities] = line.split("|") as [string, string, string, string, string, string, string];
  return {
    name,
    iso2,
    fips,
    utcOffset: Number(offset),
    tzdb,
    dst,
    cities: cities.split(";").map((c) => {
      const [cityName, lat, lon] = c.split(":") as [string, string, string];
      return { name: cityName, lat: Number(lat), lon: Number(lon) };
    }),
  };
});

export const COUNTRY_NAMES: readonly string[] = COUNTRIES.map((c) => c.name);
export const CITY_NAMES: readonly string[] = COUNTRIES.flatMap((c) => c.cities.map((x) => x.name));

const byName = new Map(COUNTRIES.map((c) => [c.name.toLowerCase(), c]));
const byIso = new Map(COUNTRIES.map((c) => [c.iso2.toLowerCase(), c]));

export function findCountry(nameOrCode: string): Country | undefined {
  const key = nameOrCode.trim().toLowerCase();
  return byName.get(key) ?? byIso.get(key);
}
