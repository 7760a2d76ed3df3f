import { Badge } from "@/components/ui/badge";
import { FINETUNE_STATE_LABELS, type FineTuneState } from "@/lib/finetune/types";
import { fineTuneTone } from "./format";

/** A fine-tune job's state in the studio's words ("Training", "Completed"…), coloured by how it stands. */
export function FineTuneStateBadge({ state, title }: { state: FineTuneState; title?: string }) {
  return (
    <span data-testid="finetune-state" data-state={state}>
      <Badge tone={fineTuneTone(state)} title={title}>
        {FINETUNE_STATE_LABELS[state] ?? state}
      </Badge>
    </span>
  );
}
