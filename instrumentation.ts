// Next.js calls register() once when the server process starts: the poller lives in that process.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startConsole } = await import("./server/boot");
    await startConsole();
  }
}
