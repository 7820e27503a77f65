"""Commands run inside containers (`docker exec`): the only writes netviz makes (`probe`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.sources.engine import connect, resolve
from visualizer.sources.failures import explanation, translated

if TYPE_CHECKING:
    from visualizer.sources.engine import EngineTarget, ProgressCallback


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecResult:
    """What one command run inside a container returned."""

    exit_code: int | None
    """The command's exit code; `None` when it could not run at all."""
    output: str = ""
    """stdout and stderr together."""
    error: str = ""
    """Why the command could not run (container stopped, removed, no such program)."""


def exec_commands(
    target: EngineTarget,
    jobs: list[tuple[str, list[str]]],
    *,
    parallel: int = 8,
    progress: ProgressCallback | None = None,
) -> list[ExecResult]:
    """Run `argv` in each container `(container_id, argv)`, several at a time.

    The only code in netviz that changes anything on an engine: it creates exec instances.
    Only `netviz probe` calls it.
    """
    conn = resolve(target)
    with translated(conn.label):
        client, _ = connect(conn, target.timeout, pool_size=max(parallel, 1), sdk=True)
        with closing(client):

            def one(job: tuple[str, list[str]]) -> ExecResult:
                return _exec_one(client, job[0], job[1])

            results: list[ExecResult] = []
            with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
                for done, result in enumerate(pool.map(one, jobs), start=1):
                    results.append(result)
                    if progress is not None:
                        progress(done, len(jobs))
    return results


def _exec_one(client: Any, container_id: str, argv: list[str]) -> ExecResult:  # noqa: ANN401
    from docker.errors import APIError  # noqa: PLC0415

    try:
        created = client.exec_create(container_id, argv, stdout=True, stderr=True)
        raw = client.exec_start(created["Id"])
        code = client.exec_inspect(created["Id"]).get("ExitCode")
    except APIError as exc:
        return ExecResult(exit_code=None, error=explanation(exc))
    output = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return ExecResult(exit_code=code if isinstance(code, int) else None, output=output)
