// The "compare v_a with v_b" picker, on the versions list and on the compare page (a plain GET form).
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";

export function CompareForm({ action, versions, a, b }: { action?: string; versions: { id: string; version: number; name: string }[]; a: string; b: string }) {
  const picker = (id: string, name: string, label: string, value: string) => (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <select id={id} name={name} className={inputClass} defaultValue={value}>
        {versions.map((v) => (
          <option key={v.id} value={v.id}>
            v{v.version} · {v.name}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form action={action} method="get" className="flex flex-wrap items-end gap-3">
      {picker("compare-a", "a", "Compare", a)}
      {picker("compare-b", "b", "with", b)}
      <button type="submit" className={buttonClass("secondary")}>
        Compare
      </button>
    </form>
  );
}
