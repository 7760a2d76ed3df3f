// npm run db:migrate — bring the studio's database (DATABASE_URL, default data/sandpiper.db) up to date.
import { applyMigrations } from "@/lib/db/server/migrate";
import { getDatabaseUrl } from "@/lib/db/config";

const done = await applyMigrations(getDatabaseUrl(), (line) => console.log(line));
console.log(done.length ? `${done.length} migration(s) applied.` : "The database is up to date.");
