/** The settings a console needs to run against the lab, from $LAB_DIR/lab.env (empty without a lab). */
export function consoleEnvForLab(): Record<string, string>;
