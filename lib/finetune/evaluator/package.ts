import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { CompareSettings } from "@/lib/evaluation/compare";
import { ValidationError } from "@/lib/errors";
import { CONSTANTS_MARKER, EVAL_PROTOCOL_TEST_PY, REWARD_CORE_PY } from "@/lib/finetune/evaluator/python-sources";
import { writeTar } from "@/lib/finetune/evaluator/tar";

// The evaluator a Fireworks reinforcement fine-tuning job runs for each rollout: the studio's own
// SQL extraction and result comparison in Python, querying the dataset version's sandbox through
// the sandbox access route with a sandbox token. Built in memory from string constants; the
// studio's address, the token and the comparison settings are written into the Python file as
// escaped literals, never spliced in as raw text.

export const EVALUATOR_ENTRY_POINT = "test_sandpiper_reward.py::test_sql_reward";
export const EVALUATOR_REQUIREMENTS = "eval-protocol\n";
export const EVALUATOR_FILE_NAME = "evaluator.tar.gz";
export const DEFAULT_EVALUATOR_TIMEOUT_SECONDS = 30;
export const MAX_EVALUATOR_TIMEOUT_SECONDS = 300;
// Fixed, so the same input always gives the same archive and digest.
const ARCHIVE_MTIME = Date.UTC(2025, 0, 1) / 1000;

export type EvaluatorCompareSettings = Omit<CompareSettings, "orderMatters">;

export interface EvaluatorPackageInput {
  /** Where the evaluator reaches the studio, e.g. https://studio.example.com (no trailing slash needed). */
  studioUrl: string;
  /** A sandbox access token (sbx_…) of the dataset version the job trains on. */
  token: string;
  /** How results are compared; whether row order matters comes with each dataset line. */
  compareSettings: EvaluatorCompareSettings;
  datasetVersionId: string;
  /** How people know the dataset version, e.g. "Flights v3"; shown in the README and in error messages. */
  label: string;
  /** Timeout of one query request, in seconds (default 30). */
  timeoutSeconds?: number;
}

export interface EvaluatorPackage {
  files: { path: string; content: string }[];
  entryPoint: string;
  requirements: string;
  tarGz: Uint8Array;
  fileName: typeof EVALUATOR_FILE_NAME;
  /** Hex sha256 of tarGz. */
  sha256: string;
}

export function buildEvaluatorPackage(input: EvaluatorPackageInput): EvaluatorPackage {
  const studioUrl = checkStudioUrl(input.studioUrl);
  const token = checkToken(input.token);
  const settings = checkSettings(input.compareSettings);
  const datasetVersionId = checkText(input.datasetVersionId, "The dataset version id");
  const label = checkText(input.label, "The dataset version's label");
  const timeoutSeconds = input.timeoutSeconds ?? DEFAULT_EVALUATOR_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > MAX_EVALUATOR_TIMEOUT_SECONDS) {
    throw new ValidationError(`The evaluator's query timeout must be more than 0 and at most ${MAX_EVALUATOR_TIMEOUT_SECONDS} seconds.`);
  }

  const constants = [
    "# Written by the studio when it built this package. SANDPIPER_URL and SANDPIPER_TOKEN override the first two.",
    `DEFAULT_STUDIO_URL = ${pythonLiteral(studioUrl)}`,
    `DEFAULT_TOKEN = ${pythonLiteral(token)}`,
    `COMPARE_SETTINGS = ${pythonLiteral(settings)}`,
    `REQUEST_TIMEOUT_SECONDS = ${pythonLiteral(timeoutSeconds)}`,
    `DATASET_VERSION_ID = ${pythonLiteral(datasetVersionId)}`,
    `LABEL = ${pythonLiteral(label)}`,
  ].join("\n");
  // split/join rather than replace(): a replacement string would give "$&" and "$'" a meaning.
  const parts = REWARD_CORE_PY.split(CONSTANTS_MARKER);
  if (parts.length !== 2) throw new Error("The reward source must hold the constants marker exactly once.");
  const core = parts.join(constants);

  const files = [
    { path: "sandpiper_reward.py", content: core },
    { path: "test_sandpiper_reward.py", content: EVAL_PROTOCOL_TEST_PY },
    { path: "requirements.txt", content: EVALUATOR_REQUIREMENTS },
    { path: "README.md", content: packageReadme({ studioUrl, settings, datasetVersionId, label, timeoutSeconds }) },
  ];
  const tarGz = new Uint8Array(gzipSync(writeTar(files, { mtime: ARCHIVE_MTIME }), { level: 9 }));
  return {
    files,
    entryPoint: EVALUATOR_ENTRY_POINT,
    requirements: EVALUATOR_REQUIREMENTS,
    tarGz,
    fileName: EVALUATOR_FILE_NAME,
    sha256: createHash("sha256").update(tarGz).digest("hex"),
  };
}

/**
 * A Python literal for a string, a finite number, a boolean or a flat object of those. Strings are
 * JSON string literals (valid Python, same meaning) with every non-ASCII character escaped, so the
 * source is plain ASCII and no value can end its literal early.
 */
export function pythonLiteral(value: string | number | boolean | Record<string, string | number | boolean>): string {
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("Only finite numbers can be written as Python literals.");
    // JavaScript's shortest form ("1e-7", "0.5", "30") is a valid Python literal of the same double.
    return String(value);
  }
  return `{${Object.entries(value)
    .map(([k, v]) => `${pythonString(k)}: ${pythonLiteral(v)}`)
    .join(", ")}}`;
}

function pythonString(text: string): string {
  let out = "";
  for (const ch of JSON.stringify(text)) {
    const code = ch.codePointAt(0)!;
    if (code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out;
}

function checkStudioUrl(value: string): string {
  const trimmed = String(value ?? "").trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ValidationError(`The studio address "${trimmed.slice(0, 80)}" is not a URL. Give the address Fireworks reaches the studio at, like https://studio.example.com.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ValidationError("The studio address must start with https:// (or http://).");
  if (url.search || url.hash) throw new ValidationError("The studio address takes no query string or fragment.");
  return trimmed;
}

function checkToken(value: string): string {
  const token = String(value ?? "").trim();
  // Printable ASCII only: the token travels in an HTTP header.
  if (!token || !/^[\x21-\x7e]+$/.test(token)) throw new ValidationError("The sandbox access token is missing or holds characters an HTTP header cannot carry.");
  return token;
}

function checkText(value: string, what: string): string {
  const text = String(value ?? "").trim();
  if (!text) throw new ValidationError(`${what} is missing.`);
  return text;
}

function checkSettings(settings: EvaluatorCompareSettings): Record<string, boolean | number> {
  // Only the known settings, in a fixed order: anything else (an orderMatters included) stays out.
  const flags = ["ignoreColumnOrder", "nullEqualsNull", "ignoreColumnNames"] as const;
  const tolerances = ["floatAbsTol", "floatRelTol"] as const;
  const out: Record<string, boolean | number> = {};
  for (const key of flags) {
    if (typeof settings?.[key] !== "boolean") throw new ValidationError(`Comparison setting ${key} must be true or false.`);
    out[key] = settings[key];
  }
  for (const key of tolerances) {
    const value = settings?.[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ValidationError(`Comparison setting ${key} must be a number of at least 0.`);
    out[key] = value;
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
}

function packageReadme(p: { studioUrl: string; settings: Record<string, boolean | number>; datasetVersionId: string; label: string; timeoutSeconds: number }): string {
  const s = p.settings;
  return `# Sandpiper reward: ${oneLine(p.label)}

The evaluator of a Fireworks reinforcement fine-tuning job, built by the Sandpiper studio for dataset
version ${oneLine(p.datasetVersionId)}. For each rollout it reads the SQL in the model's answer, runs it
read-only on the version's sandbox through the studio, and compares the result with the line's
\`ground_truth\` the way the studio's evaluation runs do: 1.0 for a match, else 0.0, with the same
one-line reason the studio would give.

- \`sandpiper_reward.py\`: the reward, Python 3 standard library only. \`score(answer_text,
  ground_truth, order_matters)\` returns \`{"score", "reason", "sql"}\`.
- \`test_sandpiper_reward.py\`: the eval-protocol entry point, \`${EVALUATOR_ENTRY_POINT}\`.
- \`requirements.txt\`: eval-protocol.

Each dataset line carries \`ground_truth\` (the gold result) and \`order_matters\` (whether the gold
query orders its rows). Results are compared with columns ${s.ignoreColumnOrder ? "in any order" : "in the gold order"},
column names ${s.ignoreColumnNames ? "ignored" : "compared"}, numbers equal within ${s.floatAbsTol} absolute or
${s.floatRelTol} relative, and NULL ${s.nullEqualsNull ? "equal" : "not equal"} to NULL.

Queries go to ${oneLine(p.studioUrl)}/api/sandbox-access/query with the sandbox access token written
into \`sandpiper_reward.py\` (timeout ${p.timeoutSeconds} s). \`SANDPIPER_URL\` and \`SANDPIPER_TOKEN\`
override them. The token opens this one sandbox read-only; revoke it in the studio when training ends.

Check the connection with \`python3 sandpiper_reward.py\`. An answer without SQL, SQL the studio refuses
and SQL that fails all score 0. A wrong token or address stops the evaluator with an error; when the
studio cannot be reached the rollout is marked as not scored.
`;
}
