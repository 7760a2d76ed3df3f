// A minimal POSIX ustar writer: regular files only, which is all an evaluator package holds. Pure
// (bytes in, bytes out), so the package can be built in memory wherever the studio runs.

const BLOCK = 512;
const encoder = new TextEncoder();

export interface TarFile {
  /** Relative path inside the archive, "/"-separated. */
  path: string;
  content: string | Uint8Array;
  /** Permission bits; 0o644 when absent. */
  mode?: number;
}

export interface TarOptions {
  /** Modification time of every entry, in seconds since the epoch. A fixed value keeps archives reproducible. */
  mtime?: number;
}

/** The archive: a 512-byte header and the padded content per file, then two zero blocks. */
export function writeTar(files: readonly TarFile[], options: TarOptions = {}): Uint8Array {
  const mtime = Math.floor(options.mtime ?? 0);
  const seen = new Set<string>();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    checkPath(file.path);
    if (seen.has(file.path)) throw new Error(`Two files share the path ${file.path} in one archive.`);
    seen.add(file.path);
    const content = typeof file.content === "string" ? encoder.encode(file.content) : file.content;
    parts.push(header(file.path, content.length, file.mode ?? 0o644, mtime));
    parts.push(padded(content));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function checkPath(path: string): void {
  // Extraction must stay inside the target directory.
  if (!path || path.startsWith("/") || path.includes("\\") || path.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`"${path}" is not a relative path inside the archive.`);
  }
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new Error(`The archive path "${path}" holds a control character.`);
}

function header(path: string, size: number, mode: number, mtime: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { name, prefix } = splitPath(path);
  block.set(name, 0);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block[156] = 0x30; // typeflag "0": a regular file
  block.set(encoder.encode("ustar\u0000"), 257);
  block.set(encoder.encode("00"), 263);
  block.set(prefix, 345);
  // The checksum is the sum of the header's bytes with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  const sum = block.reduce((n, b) => n + b, 0);
  block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148);
  return block;
}

/** Names up to 100 bytes go in `name`; longer ones split at a "/" into a 155-byte prefix and the rest. */
function splitPath(path: string): { name: Uint8Array; prefix: Uint8Array } {
  const whole = encoder.encode(path);
  if (whole.length <= 100) return { name: whole, prefix: new Uint8Array(0) };
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = encoder.encode(path.slice(0, i));
    const name = encoder.encode(path.slice(i + 1));
    if (prefix.length <= 155 && name.length <= 100) return { name, prefix };
  }
  throw new Error(`The archive path "${path}" is too long for a ustar header.`);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  // length - 1 octal digits, then a NUL.
  const digits = value.toString(8).padStart(length - 1, "0");
  if (!Number.isSafeInteger(value) || value < 0 || digits.length > length - 1) {
    throw new Error(`${value} does not fit a ${length}-byte tar header field.`);
  }
  block.set(encoder.encode(digits), offset);
  block[offset + length - 1] = 0;
}

function padded(content: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(content.length / BLOCK) * BLOCK);
  out.set(content);
  return out;
}
