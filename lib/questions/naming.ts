// Turning schema names into words for questions: "source_airport_id" → "source airport",
// "AirportCountries" → "airport countries".

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Column name as words, dropping a trailing "id" of a reference ("airline_id" → "airline"). */
export function humanizeColumn(name: string): string {
  const parts = words(name);
  if (parts.length > 1 && (parts[parts.length - 1] === "id" || parts[parts.length - 1] === "fk")) parts.pop();
  return parts.join(" ") || name;
}

export function humanizeTable(name: string): string {
  return words(name).join(" ") || name;
}

function singularWord(word: string): string {
  if (/[^aeiou]ies$/.test(word)) return word.slice(0, -3) + "y";
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sh|ch|x|ss|zz)es$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word) && word.length > 1) return word.slice(0, -1);
  return word;
}

function pluralWord(word: string): string {
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  return word + "s";
}

function mapLast(phrase: string, fn: (w: string) => string): string {
  const parts = phrase.split(" ");
  parts[parts.length - 1] = fn(parts[parts.length - 1]);
  return parts.join(" ");
}

export function singularize(phrase: string): string {
  return mapLast(phrase, singularWord);
}

/** Plural of a table's words; a table already named in the plural stays as it is. */
export function pluralize(phrase: string): string {
  return mapLast(phrase, (w) => {
    const singular = singularWord(w);
    return singular === w ? pluralWord(w) : w;
  });
}
