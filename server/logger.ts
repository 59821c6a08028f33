import pino from "pino";
import { getEnv } from "@/server/env";

/** Structured JSON logs (pino): cheap on the poll path, greppable, one line per event. */
export const logger = pino({ level: getEnv().LOG_LEVEL, base: { app: "clusterdeck" } });
