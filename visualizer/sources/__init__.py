"""Where snapshots come from: a live engine, a snapshot file, the bundled demo."""
