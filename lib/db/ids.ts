import { randomBytes } from "node:crypto";

/** An id for rows written outside the ORM: same shape as Prisma's cuid ("c" + 24 base-36 chars), time-ordered. */
export function newRowId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const bytes = randomBytes(16);
  let rand = "";
  for (let i = 0; i < 15; i++) rand += (bytes[i] % 36).toString(36);
  return `c${time}${rand}`;
}
