import "server-only";
import { createFireworksClient, type FireworksClient } from "@/lib/providers/server/fireworks";
import { createBedrockControl } from "@/lib/providers/server/bedrock-control";
import { createS3Store } from "@/lib/providers/server/s3-store";
import { awsConfigOf, fireworksConfigOf } from "@/lib/providers/server/connections";
import { ValidationError } from "@/lib/errors";
import type { AwsConnectionSettings, FireworksConnectionSettings } from "@/lib/providers/connections";

// Provider clients for a fine-tune job, opened from its connection. The only place the job
// services touch secrets.

type ConnectionRow = { kind: string; settings: string; secretCipher: string | null; name: string };

export function fireworksFor(connection: ConnectionRow | null): { client: FireworksClient; settings: FireworksConnectionSettings } {
  if (!connection) throw new ValidationError("This job's connection was deleted. Add the Fireworks connection again to follow it.");
  const { config, settings } = fireworksConfigOf(connection);
  return { client: createFireworksClient(config), settings };
}

export function awsFor(connection: ConnectionRow | null) {
  if (!connection) throw new ValidationError("This job's connection was deleted. Add the AWS connection again to follow it.");
  const { config, settings } = awsConfigOf(connection);
  return { control: createBedrockControl(config), s3: createS3Store(config), settings: settings as AwsConnectionSettings };
}
