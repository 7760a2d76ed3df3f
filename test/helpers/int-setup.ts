// Integration tests run against a throwaway studio database (SQLite file by default,
// the local PostgreSQL `test` database when SANDPIPER_TEST_DB=postgres).
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.SANDPIPER_LOG ??= "silent";
process.env.SANDPIPER_SECRET_KEY ??= "test-secret-key-0123456789abcdef0123456789abcdef";
