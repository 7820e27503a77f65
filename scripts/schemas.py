"""Write the JSON Schemas of netviz's documents to docs/schemas/ (the published copies).

`python3 scripts/schemas.py` rewrites them from `visualizer.sources.schemas`; the tests fail
when the published copies and the code disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visualizer.sources.schemas import schemas  # noqa: E402

OUT = ROOT / "docs" / "schemas"


def published() -> dict[str, str]:
    """Each schema file's name and text."""
    return {name: json.dumps(body, indent=2) + "\n" for name, body in schemas().items()}


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in published().items():
        (OUT / name).write_text(text)
        print(f"wrote docs/schemas/{name}")
