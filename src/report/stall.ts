// A run whose event loop empties before it is done can never move again (a bug): Node would end it with exit 13
// ("unsettled top-level await") and no word. `beforeExit` fires first, so the run can report what it did and exit 1.

/** Calls `report` if the event loop empties while the run is pending; the returned function disarms it. */
export function onStall(report: () => void): () => void {
  const handler = () => report();
  process.once('beforeExit', handler);
  return () => process.off('beforeExit', handler);
}
