import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_COMPARE_SETTINGS } from "@/lib/evaluation/compare";
import { ValidationError } from "@/lib/errors";
import { buildEvaluatorPackage, pythonLiteral, type EvaluatorPackageInput } from "@/lib/finetune/evaluator/package";
import { CONSTANTS_MARKER, REWARD_CORE_PY } from "@/lib/finetune/evaluator/python-sources";

const { orderMatters: _orderMatters, ...compareSettings } = DEFAULT_COMPARE_SETTINGS;
void _orderMatters;

const input: EvaluatorPackageInput = {
  studioUrl: "https://studio.example.com/",
  token: "sbx_0123456789abcdefghijABCDEFGHIJ0123456789",
  compareSettings,
  datasetVersionId: "cmversion123",
  label: "Flights v3",
};

function file(pkg: ReturnType<typeof buildEvaluatorPackage>, path: string): string {
  const found = pkg.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.content;
}

/** Decodes the Python string literal assigned to `name` (the escapes pythonLiteral writes). */
function pythonConstant(source: string, name: string): string {
  const line = source.split("\n").find((l) => l.startsWith(`${name} = `));
  if (!line) throw new Error(`no ${name}`);
  const literal = line.slice(name.length + 3);
  // One literal and nothing after it: an escaped quote never ends it.
  expect(literal).toMatch(/^"(?:[^"\\]|\\.)*"$/);
  const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" };
  return literal.slice(1, -1).replace(/\\(U[0-9a-f]{8}|u[0-9a-f]{4}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (simple[e] ?? `\\${e}`),
  );
}

/** The tar entries' names and contents, walked header by header. */
function untar(archive: Uint8Array): { path: string; content: string }[] {
  const out: { path: string; content: string }[] = [];
  const text = (from: number, length: number) => Buffer.from(archive.subarray(from, from + length)).toString("utf8").replace(/\0.*$/s, "");
  for (let offset = 0; archive[offset] !== 0; ) {
    const size = parseInt(text(offset + 124, 12), 8);
    out.push({ path: text(offset, 100), content: Buffer.from(archive.subarray(offset + 512, offset + 512 + size)).toString("utf8") });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe("buildEvaluatorPackage", () => {
  const pkg = buildEvaluatorPackage(input);

  it("holds the reward core, the eval-protocol entry point, requirements and a README", () => {
    expect(pkg.files.map((f) => f.path)).toEqual(["sandpiper_reward.py", "test_sandpiper_reward.py", "requirements.txt", "README.md"]);
    expect(pkg.entryPoint).toBe("test_sandpiper_reward.py::test_sql_reward");
    expect(pkg.requirements).toBe("eval-protocol\n");
    expect(file(pkg, "requirements.txt")).toBe("eval-protocol\n");
    expect(pkg.fileName).toBe("evaluator.tar.gz");
  });

  it("packs exactly those files as a gzipped tar, with its sha256", () => {
    expect(pkg.sha256).toBe(createHash("sha256").update(pkg.tarGz).digest("hex"));
    expect([pkg.tarGz[0], pkg.tarGz[1]]).toEqual([0x1f, 0x8b]);
    expect(untar(new Uint8Array(gunzipSync(pkg.tarGz)))).toEqual(pkg.files);
  });

  it("is reproducible: the same input gives the same archive, another token another one", () => {
    expect(buildEvaluatorPackage(input).sha256).toBe(pkg.sha256);
    expect(buildEvaluatorPackage({ ...input, token: `${input.token}x` }).sha256).not.toBe(pkg.sha256);
  });

  it("writes the address, token, settings and timeout into the reward core as literals", () => {
    const core = file(pkg, "sandpiper_reward.py");
    expect(core).not.toContain(CONSTANTS_MARKER);
    expect(pythonConstant(core, "DEFAULT_STUDIO_URL")).toBe("https://studio.example.com");
    expect(pythonConstant(core, "DEFAULT_TOKEN")).toBe(input.token);
    expect(pythonConstant(core, "DATASET_VERSION_ID")).toBe("cmversion123");
    expect(pythonConstant(core, "LABEL")).toBe("Flights v3");
    expect(core).toContain(
      'COMPARE_SETTINGS = {"ignoreColumnOrder": True, "nullEqualsNull": True, "ignoreColumnNames": True, "floatAbsTol": 0.000001, "floatRelTol": 0.000001}',
    );
    expect(core).toContain("REQUEST_TIMEOUT_SECONDS = 30\n");
    expect(buildEvaluatorPackage({ ...input, timeoutSeconds: 7.5 }).files[0].content).toContain("REQUEST_TIMEOUT_SECONDS = 7.5\n");
    // Everything but the constants is the template, unchanged.
    const [before, after] = REWARD_CORE_PY.split(CONSTANTS_MARKER);
    expect(core.startsWith(before)).toBe(true);
    expect(core.endsWith(after)).toBe(true);
  });

  it("keeps hostile values inside their literals: quotes, backslashes, $-patterns, newlines, non-ASCII", () => {
    const hostile = {
      ...input,
      studioUrl: "http://studio.test/x\"y\\z'''$&$'",
      token: 'sbx_a"b\'c\\d$&$\'"""\\',
      label: 'Flights "v3" \\ ${x} """\n\rDEFAULT_TOKEN = "stolen"\u2028 é 😀 \ud800 end\\',
      datasetVersionId: "v\\\"1",
    };
    const core = buildEvaluatorPackage(hostile).files[0].content;
    expect(pythonConstant(core, "DEFAULT_STUDIO_URL")).toBe(hostile.studioUrl);
    expect(pythonConstant(core, "DEFAULT_TOKEN")).toBe(hostile.token);
    expect(pythonConstant(core, "LABEL")).toBe(hostile.label.trim());
    expect(pythonConstant(core, "DATASET_VERSION_ID")).toBe(hostile.datasetVersionId);
    // The label's newline did not start a line of its own.
    expect(core.split("\n").filter((l) => l.startsWith("DEFAULT_TOKEN"))).toHaveLength(1);
    const constants = core.slice(core.indexOf("DEFAULT_STUDIO_URL"), core.indexOf("LABEL = "));
    expect(/^[\x20-\x7e\n]*$/.test(constants)).toBe(true);
  });

  it("leaves orderMatters to each dataset line even when the settings carry one", () => {
    const core = buildEvaluatorPackage({ ...input, compareSettings: { ...compareSettings, orderMatters: true } as never }).files[0].content;
    expect(core.split("\n").find((l) => l.startsWith("COMPARE_SETTINGS"))).not.toContain("orderMatters");
    const strict = buildEvaluatorPackage({ ...input, compareSettings: { ignoreColumnOrder: false, ignoreColumnNames: false, nullEqualsNull: false, floatAbsTol: 0, floatRelTol: 1e-9 } });
    expect(strict.files[0].content).toContain(
      'COMPARE_SETTINGS = {"ignoreColumnOrder": False, "nullEqualsNull": False, "ignoreColumnNames": False, "floatAbsTol": 0, "floatRelTol": 1e-9}',
    );
  });

  it("writes the token into the reward core only", () => {
    for (const f of pkg.files.slice(1)) expect(f.content).not.toContain(input.token);
    const readme = file(pkg, "README.md");
    expect(readme).toContain("Flights v3");
    expect(readme).toContain("cmversion123");
    expect(readme).toContain("https://studio.example.com/api/sandbox-access/query");
    expect(readme).toContain(pkg.entryPoint);
  });

  it("keeps eval-protocol out of the core and wires it in the entry point as Fireworks expects", () => {
    const core = file(pkg, "sandpiper_reward.py");
    const imports = [...core.matchAll(/^(?:import|from) ([\w.]+)/gm)].map((m) => m[1].split(".")[0]);
    const stdlib = ["http", "json", "math", "os", "re", "time", "urllib", "decimal", "email", "functools"];
    expect(imports.filter((m) => !stdlib.includes(m))).toEqual([]);
    const layer = file(pkg, "test_sandpiper_reward.py");
    expect(layer).toContain("from eval_protocol.pytest import SingleTurnRolloutProcessor, evaluation_test");
    expect(layer).toContain("rollout_processor=SingleTurnRolloutProcessor()");
    expect(layer).toContain('mode="pointwise"');
    expect(layer).toMatch(/^def test_sql_reward\(row: EvaluationRow\) -> EvaluationRow:$/m);
    const params = /completion_params=\[(.*)\]/.exec(layer)?.[1] ?? "";
    expect(params).toContain("max_tokens");
    expect(params).not.toContain("model");
    expect(layer).toContain("is_score_valid=True");
  });

  it("refuses an address, token, setting or timeout it cannot use", () => {
    const refused: Partial<EvaluatorPackageInput>[] = [
      { studioUrl: "" },
      { studioUrl: "studio.example.com" },
      { studioUrl: "ftp://studio.example.com" },
      { studioUrl: "https://studio.example.com/?a=1" },
      { token: "" },
      { token: "sbx_with space" },
      { token: "sbx_new\nline" },
      { token: "sbx_é" },
      { datasetVersionId: " " },
      { label: "" },
      { timeoutSeconds: 0 },
      { timeoutSeconds: 301 },
      { timeoutSeconds: Number.NaN },
      { compareSettings: { ...compareSettings, floatAbsTol: -1 } },
      { compareSettings: { ...compareSettings, floatRelTol: Number.POSITIVE_INFINITY } },
      { compareSettings: { ...compareSettings, nullEqualsNull: "yes" as never } },
    ];
    for (const change of refused) expect(() => buildEvaluatorPackage({ ...input, ...change }), JSON.stringify(change)).toThrow(ValidationError);
  });
});

describe("pythonLiteral", () => {
  it("writes strings as ASCII JSON literals, numbers in their shortest form and booleans as Python's", () => {
    expect(pythonLiteral('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(pythonLiteral("é😀\u2028\u007f")).toBe('"\\u00e9\\U0001f600\\u2028\\u007f"');
    expect(pythonLiteral("\ud800")).toBe('"\\ud800"');
    expect(pythonLiteral(1e-7)).toBe("1e-7");
    expect(pythonLiteral(1e21)).toBe("1e+21");
    expect(pythonLiteral(true)).toBe("True");
    expect(pythonLiteral({ a: false, "b\"": 2 })).toBe('{"a": False, "b\\"": 2}');
    expect(() => pythonLiteral(Number.NaN)).toThrow();
  });
});
