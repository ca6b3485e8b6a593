"""The files deploy/Dockerfile puts into its build stage, read from its COPY lines (no Docker needed).

``image_files()`` -> {path inside the build context's WORKDIR: source file in the repository}, as
``docker build`` would lay them out: each ``COPY <src>... <dest>`` of the first stage, sources
expanded as Docker globs, directories copied with their contents, .dockerignore applied.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shlex
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
PROJECT_PACKAGES = ("deploy", "shared", "services")


def _ignored(rel: str, patterns: list[str]) -> bool:
    parts = PurePosixPath(rel).parts
    for pattern in patterns:
        pat = pattern.rstrip("/").removeprefix("**/")
        if fnmatch.fnmatch(rel, pat) or any(fnmatch.fnmatch(p, pat) for p in parts):
            return True
    return False


def _dockerignore() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def build_stage_copies(text: str | None = None) -> list[tuple[list[str], str]]:
    """(sources, dest) of each COPY in the first (build) stage, ``--from`` copies excluded."""
    text = DOCKERFILE.read_text() if text is None else text
    text = re.sub(r"\\\n", " ", text)
    copies: list[tuple[list[str], str]] = []
    stages = 0
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = shlex.split(line)
        if not words:
            continue
        if words[0].upper() == "FROM":
            stages += 1
            if stages > 1:
                break
        if words[0].upper() == "COPY":
            args = [w for w in words[1:] if not w.startswith("--")]
            if any(w.startswith("--from") for w in words[1:]):
                continue
            copies.append((args[:-1], args[-1]))
    return copies


def image_files(text: str | None = None) -> dict[str, Path]:
    ignore = _dockerignore()
    files: dict[str, Path] = {}
    for sources, dest in build_stage_copies(text):
        dest_dir = dest.endswith("/") or len(sources) > 1 or any(ch in s for s in sources for ch in "*?[")
        for source in sources:
            matches = sorted(ROOT.glob(source)) if any(ch in source for ch in "*?[") else [ROOT / source]
            for match in matches:
                if not match.exists():
                    raise FileNotFoundError(f"COPY {source}: {match} does not exist")
                if match.is_dir():
                    for f in sorted(match.rglob("*")):
                        rel = f.relative_to(ROOT).as_posix()
                        if f.is_file() and not _ignored(rel, ignore):
                            target = PurePosixPath(dest) / f.relative_to(match).as_posix()
                            files[_norm(target)] = f
                else:
                    rel = match.relative_to(ROOT).as_posix()
                    if _ignored(rel, ignore):
                        continue
                    target = PurePosixPath(dest) / match.name if dest_dir else PurePosixPath(dest)
                    files[_norm(target)] = match
    return files


def _norm(path: PurePosixPath) -> str:
    return PurePosixPath(*[p for p in path.parts if p != "."]).as_posix()


def module_file(module: str, files: set[str]) -> str | None:
    """The image's file for a dotted module name, or None when the image lacks it."""
    base = module.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if candidate in files:
            return candidate
    return None


def repo_module_file(module: str) -> Path | None:
    """The repository's file for a dotted module name, or None when it is not a module."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """Project modules a file imports, at the top or inside functions (``importlib`` by literal too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from pkg import name`: name is a module only when the repository has a file for it
            names = [base] + [f"{base}.{a.name}" for a in node.names if repo_module_file(f"{base}.{a.name}")]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            if name.split(".")[0] in PROJECT_PACKAGES:
                # importing a.b.c imports a and a.b too
                parts = name.split(".")
                found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return found


def import_closure(roots: list[str]) -> set[str]:
    """Every project module the given modules import, directly or through each other."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = repo_module_file(module)
        if path is not None:
            todo.extend(imported_modules(path) - seen)
    return seen
