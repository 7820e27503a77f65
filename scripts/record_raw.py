"""Record the engine's raw API answers (and the snapshot parsed from them).

    python3 scripts/record_raw.py RAW.json [SNAPSHOT.json]

RAW.json keeps `GET /version`, `/info`, `/networks`, `/containers/json?all=1` and every
container's inspect answer exactly as the engine sent them, for the parser's unit tests.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from visualizer.sources.engine import EngineTarget, capture
from visualizer.sources.parse import parse_capture
from visualizer.sources.snapshot import dumps


def main() -> int:
    """Capture once, write the raw answers and, optionally, the parsed snapshot."""
    if len(sys.argv) not in {2, 3}:
        print(__doc__, file=sys.stderr)
        return 2
    raw = capture(EngineTarget(), inspect=True)
    body = {f.name: getattr(raw, f.name) for f in dataclasses.fields(raw)}
    Path(sys.argv[1]).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")
    if len(sys.argv) == 3:  # noqa: PLR2004
        Path(sys.argv[2]).write_text(dumps(parse_capture(raw)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
