"""A compose project read as Compose reads it: files, `include`, `extends`, then merged.

For each `-f` file, in order (compose-go's `loadYamlFile`): read it (bounded, YAML 1.2),
interpolate, cast, check it against the Compose schema and netviz's limits, import what its
`include:` entries define (each one a project of its own: its own project directory, env file
and includes; a cycle is an error; what the file itself says about an imported resource is
merged over it), resolve `extends` (same file or another, chained, with the merge rules of
several files; a cycle is an error), and merge the result onto the files before it.

`Origins` remembers which file and node each service and top-level entry came from, so that
an error found in the merged project still names a file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visualizer.errors import InputError
from visualizer.sources.compose.checks import check_file
from visualizer.sources.compose.interpolate import environment, plain
from visualizer.sources.compose.merge import RESET, Override, merge_maps
from visualizer.sources.compose.schema import cast, validate
from visualizer.yamlfile import locate, position, read_yaml

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

MAX_FILES = 256
"""The most compose files one project may read, counting each `include` and `extends` file."""
MAX_CHAIN = 32
"""The longest chain of `include` (a file including a file including …) or of `extends`."""

RESOURCES = ("services", "volumes", "networks", "secrets", "configs", "models")
"""What an included project brings into the one that includes it."""


@dataclass(frozen=True, slots=True)
class ComposeFile:
    """One compose file as read: its YAML tree (positions) and its checked plain data."""

    path: Path
    tree: Any
    data: dict[str, Any]

    def where(self, *path: str | int) -> str:
        """`file:line:col` of the deepest part of `path` in this file."""
        return f"{self.path}{locate(self.tree, path)}"


@dataclass
class Origins:
    """Which files (and where in them) the parts of a merged project come from."""

    files: list[ComposeFile] = field(default_factory=list)
    """Every file that added to the project, in the order they were merged."""
    services: dict[str, list[tuple[ComposeFile, str]]] = field(default_factory=dict)
    """Per service, the (file, service name there) definitions merged into it, in order."""

    def top(self, *path: str | int) -> str:
        """`file:line:col` of a top-level path (`networks`, `front`), in the last file with it."""
        return _find([(f, ()) for f in self.files], path)

    def service(self, name: str, *path: str | int) -> str:
        """`file:line:col` of a path in a service, in the last definition that has it."""
        return _find([(f, ("services", n)) for f, n in self.services.get(name, ())], path)

    def absorb(self, other: Origins) -> None:
        """Add an included project's origins before this project's own."""
        self.files.extend(other.files)
        for name, defs in other.services.items():
            self.services.setdefault(name, []).extend(defs)


def _find(
    places: Sequence[tuple[ComposeFile, tuple[str, ...]]], path: tuple[str | int, ...]
) -> str:
    for length in range(len(path), -1, -1):
        for file, prefix in reversed(places):
            found = _concrete(file.data, (*prefix, *path[:length]))
            if found is not None:
                return file.where(*found)
    return "compose project"


def _concrete(data: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:  # noqa: ANN401
    """`path` as it is in `data`, a text step in a list meaning the item equal to it."""
    node, out = data, []
    for step in path:
        if isinstance(node, Override):
            node = node.value
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            node = node[step]  # type: ignore[index] # a list's step is an int here
            out.append(step)
        elif isinstance(node, list) and isinstance(step, str) and step in node:
            out.append(node.index(step))
            node = step
        else:
            return None
    return tuple(out)


class Loader:
    """Reads the files of one `load_compose` call, each once, at most `MAX_FILES` of them."""

    def __init__(self, *, shell: Mapping[str, str] | None, warnings: list[str]) -> None:
        """Interpolate from `shell` (default: this process's environment)."""
        self.shell = shell
        self.warnings = warnings
        self.read = 0
        self._cache: dict[tuple[Path, int], ComposeFile] = {}
        self._envs: list[Mapping[str, str]] = []
        self._checked: set[tuple[tuple[Path, int], str | None]] = set()

    def main_environment(self, env_file: Path | None, project_dir: Path) -> dict[str, str]:
        """The project's variables: `--env-file` (or `.env` beside the first file), the shell."""
        files = [env_file] if env_file is not None else [project_dir / ".env"]
        return environment(files, shell=self.shell, required=env_file is not None)

    def project(
        self,
        files: Sequence[Path],
        env: Mapping[str, str],
        base_dir: Path,
        chain: tuple[Path, ...] = (),
    ) -> tuple[dict[str, Any], Origins]:
        """The merged model of `files` and where its parts come from."""
        model: dict[str, Any] = {}
        origins = Origins()
        for path in files:
            file = self.file(path, env)
            data = dict(file.data)
            own = set(data.get("services") or {})
            self._include(
                file,
                data=data,
                env=env,
                base_dir=base_dir,
                chain=(*chain, path.resolve()),
                origins=origins,
            )
            services = dict(data.get("services") or {})
            resolved: dict[tuple[Path, str], tuple[dict[str, Any], list[tuple[ComposeFile, str]]]]
            resolved = {}
            for name in sorted(own):
                merged, defs = self._extend(
                    file,
                    services=services,
                    name=name,
                    base_dir=base_dir,
                    env=env,
                    chain=(),
                    resolved=resolved,
                )
                services[name] = merged
                origins.services.setdefault(name, []).extend(defs)
            if services:
                data["services"] = services
            origins.files.append(file)
            model = merge_maps(model, data)
        return _clean(model), origins

    def file(self, path: Path, env: Mapping[str, str], *, only: str | None = None) -> ComposeFile:
        """One file read, interpolated, cast and checked (only service `only`, for `extends`)."""
        key = (path.resolve(), id(env))
        file = self._cache.get(key)
        if file is None:
            self.read += 1
            if self.read > MAX_FILES:
                raise InputError(
                    f"{path}: more than {MAX_FILES} compose files to read for one project"
                )
            tree = read_yaml(path, what="compose file")
            if tree is None:
                tree = {}
            if not isinstance(tree, dict):
                raise InputError(
                    f"{path}{position(tree)}: a compose file must be a mapping at the top level"
                )
            self._envs.append(env)  # keeps id(env) unique while the file is cached
            data = cast(plain(tree, env, str(path), self.warnings), tree, str(path))
            file = ComposeFile(path=path, tree=tree, data=data)
            self._cache[key] = file
        if (key, only) not in self._checked:
            checked = file.data
            if only is not None:
                services = file.data.get("services")
                checked = (
                    {"services": {only: services[only]}}
                    if isinstance(services, dict) and only in services
                    else {}
                )
            validate(checked, file.tree, str(path))
            check_file(checked, file.tree, str(path))
            self._checked.add((key, only))
        return file

    def _include(
        self,
        file: ComposeFile,
        *,
        data: dict[str, Any],
        env: Mapping[str, str],
        base_dir: Path,
        chain: tuple[Path, ...],
        origins: Origins,
    ) -> None:
        """Import the resources of each `include:` entry into `data` (what `data` says wins)."""
        for i, entry in enumerate(data.pop("include", None) or ()):
            where = file.where("include", i)
            spec = {"path": entry} if isinstance(entry, str) else entry
            paths = [_join(base_dir, p) for p in _as_list(spec.get("path"))]
            if not paths:
                raise InputError(f"{where}: include needs a path")
            for path in paths:
                if not path.is_file():
                    raise InputError(f"{where}: included file {path} does not exist")
            if len(chain) >= MAX_CHAIN:
                raise InputError(f"{where}: includes nested deeper than {MAX_CHAIN} files")
            if paths[0].resolve() in chain:
                cycle = " -> ".join(str(p) for p in (*chain, paths[0].resolve()))
                raise InputError(f"{where}: include cycle: {cycle}")
            given_dir = spec.get("project_directory")
            project_dir = paths[0].parent if given_dir is None else _join(base_dir, given_dir)
            env_files = [
                _join(base_dir, e) for e in _as_list(spec.get("env_file")) if e != "/dev/null"
            ]
            if env_files:
                missing = next((e for e in env_files if not e.is_file()), None)
                if missing is not None:
                    raise InputError(f"{where}: env file {missing} does not exist")
            own = environment(env_files or [project_dir / ".env"], shell={}, required=False)
            imported, sub = self.project(paths, {**own, **env}, project_dir, chain)
            for key in RESOURCES:
                if not imported.get(key):
                    continue
                local = dict(data.get(key) or {})
                for name, value in imported[key].items():
                    here = local.get(name)
                    local[name] = (
                        merge_maps(value, here)
                        if isinstance(value, dict) and isinstance(here, dict)
                        else value
                        if name not in local
                        else here
                    )
                data[key] = local
            origins.absorb(sub)

    def _extend(
        self,
        file: ComposeFile,
        *,
        services: dict[str, Any],
        name: str,
        base_dir: Path,
        env: Mapping[str, str],
        chain: tuple[tuple[Path, str], ...],
        resolved: dict[tuple[Path, str], tuple[dict[str, Any], list[tuple[ComposeFile, str]]]],
    ) -> tuple[dict[str, Any], list[tuple[ComposeFile, str]]]:
        """A service with its `extends` chain merged in, and the definitions it came from."""
        key = (file.path.resolve(), name)
        if key in resolved:
            return resolved[key]
        if key in chain:
            cycle = " -> ".join(f"{p.name}:{n}" for p, n in (*chain, key))
            raise InputError(f"{file.where('services', name, 'extends')}: extends cycle: {cycle}")
        if len(chain) >= MAX_CHAIN:
            raise InputError(
                f"{file.where('services', name, 'extends')}: extends chain longer than "
                f"{MAX_CHAIN} services"
            )
        svc = services[name]
        ext = svc.get("extends") if isinstance(svc, dict) else None
        if isinstance(ext, Override):
            ext = ext.value
        if ext is None:
            result = (svc, [(file, name)])
            resolved[key] = result
            return result
        ref = ext if isinstance(ext, str) else str(ext["service"])
        other = None if isinstance(ext, str) else ext.get("file")
        base_file, base_services, base_base = file, services, base_dir
        if other is not None:
            where = file.where("services", name, "extends", "file")
            path = _join(base_dir, other)
            if not path.is_file():
                raise InputError(f"{where}: extends file {path} does not exist")
            base_file = self.file(path, env, only=ref)
            base_services = base_file.data.get("services") or {}
            base_base = path.parent  # its own relative paths are relative to it
        if ref not in base_services:
            where = file.where("services", name, "extends", "service")
            place = f" in {base_file.path}" if other is not None else ""
            raise InputError(f"{where}: service {name!r} extends unknown service {ref!r}{place}")
        base, defs = self._extend(
            base_file,
            services=base_services,
            name=ref,
            base_dir=base_base,
            env=env,
            chain=(*chain, key),
            resolved=resolved,
        )
        merged = merge_maps(base, {k: v for k, v in svc.items() if k != "extends"})
        merged.pop("extends", None)
        result = (merged, [*defs, (file, name)])
        resolved[key] = result
        return result


def _join(base: Path, given: Any) -> Path:  # noqa: ANN401
    path = Path(str(given)).expanduser()
    return path if path.is_absolute() else base / path


def _as_list(value: Any) -> list[str]:  # noqa: ANN401
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _clean(value: Any) -> Any:  # noqa: ANN401
    """The merged model without merge markers: `!override` values as given, `!reset` gone."""
    if isinstance(value, Override):
        return _clean(value.value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not RESET}
    if isinstance(value, list):
        return [_clean(v) for v in value if v is not RESET]
    return value
