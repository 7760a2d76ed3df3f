import { describe, expect, it } from "vitest";
import { writeTar } from "@/lib/finetune/evaluator/tar";

interface Entry {
  path: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  content: Uint8Array;
}

const decoder = new TextDecoder();

function field(block: Uint8Array, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** An independent reader: checks every header's checksum, magic and padding, and the two closing zero blocks. */
function readTar(archive: Uint8Array): Entry[] {
  expect(archive.length % 512).toBe(0);
  const entries: Entry[] = [];
  let offset = 0;
  for (;;) {
    const block = archive.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) {
      expect(archive.subarray(offset + 512, offset + 1024).every((b) => b === 0)).toBe(true);
      expect(offset + 1024).toBe(archive.length);
      return entries;
    }
    const stored = parseInt(field(block, 148, 8).trim(), 8);
    const copy = block.slice();
    copy.fill(0x20, 148, 156);
    expect(copy.reduce((n, b) => n + b, 0)).toBe(stored);
    expect(decoder.decode(block.subarray(148 + 6, 148 + 8))).toBe("\u0000 ");
    expect(decoder.decode(block.subarray(257, 263))).toBe("ustar\u0000");
    expect(decoder.decode(block.subarray(263, 265))).toBe("00");
    const prefix = field(block, 345, 155);
    const name = field(block, 0, 100);
    const size = parseInt(field(block, 124, 12), 8);
    const padded = Math.ceil(size / 512) * 512;
    const data = archive.subarray(offset + 512, offset + 512 + padded);
    expect(data.subarray(size).every((b) => b === 0)).toBe(true);
    entries.push({
      path: prefix ? `${prefix}/${name}` : name,
      mode: parseInt(field(block, 100, 8), 8),
      size,
      mtime: parseInt(field(block, 136, 12), 8),
      typeflag: String.fromCharCode(block[156]),
      content: data.subarray(0, size),
    });
    offset += 512 + padded;
  }
}

describe("writeTar", () => {
  it("writes files that read back with their names, sizes, modes, times and contents", () => {
    const binary = Uint8Array.from({ length: 1300 }, (_, i) => (i * 7) % 256);
    const archive = writeTar(
      [
        { path: "a.py", content: "print('hé')\n" },
        { path: "empty.txt", content: "" },
        { path: "exact.bin", content: new Uint8Array(512).fill(1), mode: 0o600 },
        { path: "dir/data.bin", content: binary },
      ],
      { mtime: 1_735_689_600 },
    );
    const entries = readTar(archive);
    expect(entries.map((e) => e.path)).toEqual(["a.py", "empty.txt", "exact.bin", "dir/data.bin"]);
    expect(decoder.decode(entries[0].content)).toBe("print('hé')\n");
    expect(entries[0].size).toBe(13);
    expect(entries[1].size).toBe(0);
    expect(entries[2].mode).toBe(0o600);
    expect(entries[2].content).toEqual(new Uint8Array(512).fill(1));
    expect(entries[3].content).toEqual(binary);
    expect(entries.every((e) => e.typeflag === "0" && e.mtime === 1_735_689_600)).toBe(true);
    expect(entries[0].mode).toBe(0o644);
    // Headers, contents rounded up to blocks, two zero blocks.
    expect(archive.length).toBe(512 * (4 + 1 + 0 + 1 + 3) + 1024);
  });

  it("writes an empty archive as two zero blocks", () => {
    const archive = writeTar([]);
    expect(archive).toEqual(new Uint8Array(1024));
    expect(readTar(archive)).toEqual([]);
  });

  it("gives the same bytes for the same input", () => {
    const files = [{ path: "x.txt", content: "same" }];
    expect(writeTar(files, { mtime: 5 })).toEqual(writeTar(files, { mtime: 5 }));
  });

  it("splits a long path into prefix and name", () => {
    const path = `${"d".repeat(90)}/${"e".repeat(40)}/file-with-a-long-name.txt`;
    const [entry] = readTar(writeTar([{ path, content: "x" }]));
    expect(entry.path).toBe(path);
  });

  it("refuses paths that would land outside the target directory, duplicates and names too long", () => {
    for (const path of ["", "/etc/passwd", "../up.txt", "a/../../b", "a//b", "a\\b", "./a", "tab\there"]) {
      expect(() => writeTar([{ path, content: "" }]), path).toThrow();
    }
    expect(() => writeTar([{ path: "a", content: "1" }, { path: "a", content: "2" }])).toThrow(/share the path/);
    expect(() => writeTar([{ path: "n".repeat(101), content: "" }])).toThrow(/too long/);
  });
});
