import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getLatestSchema } from "@/lib/schema/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { buildErGraph, layoutErGraph } from "@/lib/schema/er-layout";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { ErDiagram } from "./er-diagram";

export const dynamic = "force-dynamic";
export const metadata = { title: "Schema explorer" };

export default async function SchemaExplorerPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  await requireProjectPage(projectId);
  const schema = await getLatestSchema(getDb(), projectId);
  const schemaHref = `/projects/${projectId}/schema`;

  if (!schema || schema.model.tables.length === 0) {
    return (
      <>
        <PageHeader title="Schema explorer" description="Tables and the foreign keys between them, as a diagram." />
        <EmptyState
          title="Import a schema first"
          action={
            <Link href={schemaHref} className={buttonClass("primary")}>
              Go to the schema page
            </Link>
          }
        >
          The diagram is drawn from the project&apos;s latest schema version. Paste your DDL on the schema page, then come back.
        </EmptyState>
      </>
    );
  }

  const graph = buildErGraph(schema.model);
  const positions = await layoutErGraph(graph);
  const tableCount = graph.nodes.length;
  const keyCount = graph.edges.length;
  return (
    <>
      <PageHeader
        title="Schema explorer"
        description={`Schema v${schema.version}: ${tableCount} table${tableCount === 1 ? "" : "s"}, ${keyCount} relationship${keyCount === 1 ? "" : "s"}. Click a table for its columns and keys.`}
        actions={
          <Link href={schemaHref} className={buttonClass("secondary")}>
            Back to schema
          </Link>
        }
      />
      <ErDiagram key={schema.id} graph={graph} positions={positions} tables={schema.model.tables} />
    </>
  );
}
