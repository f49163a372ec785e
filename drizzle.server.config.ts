import { defineConfig } from 'drizzle-kit';

// The sync server's schema: `npx drizzle-kit generate --config drizzle.server.config.ts`.
// The same SQL files are applied to embedded PGlite and to PostgreSQL (src-server/db.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src-server/schema.ts',
  out: './src-server/migrations',
});
