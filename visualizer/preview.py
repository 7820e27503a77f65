"""`netviz what-if`: preview docker commands before making them, as one library function.

The pipeline of a preview: read the changes (docker command lines) and the policy, load the
source, predict the state the commands would leave (`visualizer.sources.whatif`), compare
it with the current one (`visualizer.analysis.whatif`), render the comparison, and attach
the change diagram and the predicted snapshot when asked. It lives beside `visualizer.api`,
which re-exports it; nothing here prints or writes a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from visualizer.analysis.catalogue import FailOn
from visualizer.graph import build_graph, snapshot_of, warnings_of
from visualizer.model import Snapshot
from visualizer.renderers.options import DiffFormat, DocumentFormat, Format, Rendered, RenderOptions
from visualizer.results import Outcome
from visualizer.selection import Selection, select, unmatched
from visualizer.sources.spec import Progress, SourceSpec, load

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from visualizer.analysis.policy import Policy
    from visualizer.analysis.whatif import WhatIf


def what_if(
    source: SourceSpec | Snapshot | nx.Graph[str],
    changes: Sequence[str] = (),
    *,
    script: str | Path | None = None,
    policy: Policy | str | Path | None = None,
    fail_on: FailOn | str = FailOn.HIGH,
    fmt: DiffFormat | str = DiffFormat.TEXT,
    diagram: Format | str | None = None,
    save: bool = False,
    selection: Selection | None = None,
    inspect: bool = True,
    cwd: Path | None = None,
    progress: Progress | None = None,
) -> Outcome[WhatIf]:
    """What docker commands would change (`netviz what-if`); negative = the change fails.

    `changes` are command lines (`"docker network connect net web"`), applied after those of
    `script` (a file, one per line, `#` comments). The change fails when the engine would
    refuse a command, when it brings a new `policy` violation, or when it opens a finding at
    `fail_on` or worse. `diagram` draws the change (added green, removed red) in a Graphviz
    format; `save` adds the predicted state as a snapshot file. Both are attachments, in that
    order, and only when no command is refused. With a `selection` the report is about it, as
    `audit`'s is (the pairs and channels with an end in it, the findings about it, policy over
    those); a filter that matches nothing before or after the change is a warning. Script and
    policy are read before the source.
    """
    from visualizer.analysis.union import union  # noqa: PLC0415
    from visualizer.analysis.whatif import assess  # noqa: PLC0415
    from visualizer.pipeline import dumps_snapshot, load_policy  # noqa: PLC0415
    from visualizer.renderers import render as draw  # noqa: PLC0415
    from visualizer.renderers import render_whatif  # noqa: PLC0415
    from visualizer.sources.whatif import predict, read_changes  # noqa: PLC0415

    commands = read_changes(changes, Path(script) if script is not None else None)
    rules = load_policy(policy) if isinstance(policy, str | Path) else policy
    threshold = FailOn(fail_on).severity
    if isinstance(source, SourceSpec):
        source = load(source, inspect=inspect, progress=progress)
    snap = source if isinstance(source, Snapshot) else snapshot_of(source)
    prediction = predict(snap, commands, cwd=cwd)
    before, after = build_graph(snap), build_graph(prediction.after)
    result = assess(before, after, prediction, policy=rules, fail_on=threshold, selection=selection)
    chosen = selection or Selection()
    lost = [f for f in unmatched(before, chosen) if f in unmatched(after, chosen)]
    attachments: list[Rendered] = []
    notes: list[str] = []
    if prediction.refusal is None:
        if diagram is not None:
            merged, status = union(snap, prediction.after, result.diff)
            shown = select(build_graph(merged), chosen)
            attachments.append(draw(shown, diagram, RenderOptions(), None, status))
        if save:
            text = dumps_snapshot(prediction.after)
            attachments.append(Rendered.of_text(text, DocumentFormat.SNAPSHOT))
    elif diagram is not None or save:
        notes.append(f"the engine would refuse {prediction.refusal.origin}: nothing else written")
    return Outcome(
        value=result,
        output=render_whatif(result, fmt),
        negative=result.failed,
        warnings=(
            *snap.warnings,
            *prediction.warnings,
            *warnings_of(after),
            *(f"--filter {f} matches nothing" for f in lost),
            *result.notes,
            *notes,
        ),
        attachments=tuple(attachments),
    )
