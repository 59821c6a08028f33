export function deployPostgresMigrations(connectionString: string, migrationsDir: string): Promise<void>;
