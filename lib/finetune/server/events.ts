import "server-only";
import type { Db, Tx } from "@/lib/db/server/client";

// One line of a job's timeline. Messages are cut to what the page shows.
export async function addEvent(db: Db | Tx, fineTuneJobId: string, event: { kind: "state" | "message" | "error" | "action"; state: string | null; message: string }): Promise<void> {
  await db.fineTuneEvent.create({ data: { fineTuneJobId, kind: event.kind, state: event.state, message: event.message.slice(0, 1000) } });
}
