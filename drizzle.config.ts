import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  // One file per area after the first: schema.ts, then schema-<area>.ts (issue 7 on).
  schema: ['./src-main/store/schema.ts', './src-main/store/schema-*.ts'],
  out: './src-main/store/migrations',
});
