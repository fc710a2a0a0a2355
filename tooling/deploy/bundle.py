"""The MWAA bundle: what a deployment uploads, built the same way every time so unchanged means unchanged.

MWAA syncs one S3 prefix into its dags folder, which is also on sys.path. That prefix holds the
DAG files at its top, `include/` (so `import include.dataops` works as it does locally) and the
dbt project under `dbt/` with its prebuilt `target/manifest.json` and the cut of it Cosmos loads DAGs
from (`target/cosmos_manifest.json`).
`.airflowignore` there keeps include/ and dbt/ out of DAG parsing. What ships is an allow-list
(SHIPPED), so tooling/, tests/, glue_jobs/, the awsglue shim and local-only config never can;
within it, files come from git (tracked plus untracked-but-not-ignored), so caches never ship.
plugins.zip is built with fixed timestamps and order: its hash changes only when a plugin does,
which is what lets a deployment skip the slow MWAA environment update when nothing changed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tooling.dbt import cosmos_manifest

# The DAG prefix's allow-list: (directory, file name pattern, whether its subdirectories count).
SHIPPED = (
    ("dags", "*.py", False),  # the DAG files, at the prefix's top
    ("dags", ".airflowignore", False),
    ("include", "*.py", True),  # the runtime package
    ("include/config", "*.yaml", False),  # the settings, less LOCAL_ONLY
    ("dbt", "dbt_project.yml", False),
    ("dbt", "profiles.yml", False),
    ("dbt/models", "*", True),
    ("dbt/macros", "*", True),
    ("dbt/tests", "*", True),
)
# Read only when the environment is local (the emulator, local Spark); MWAA always names its
# environment, so a cloud environment that forgot to fails loudly instead of running local config.
LOCAL_ONLY = ("include/config/local.yaml",)
MANIFEST = "dbt/target/manifest.json"
# Cosmos renders from this cut of MANIFEST (tooling/dbt/cosmos_manifest.py), built here from the
# manifest that ships, never taken from the working tree, so the two always describe one project.
COSMOS_MANIFEST = "dbt/target/cosmos_manifest.json"
# The Glue job scripts: they go to the scripts bucket only, never to the DAGs prefix.
GLUE_SCRIPTS = "glue_jobs"
GLUE_PREFIX = "glue/"
AIRFLOWIGNORE = "include/\ndbt/\n"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PLUGINS_EXCLUDED = ("README.md",)


class BuildError(ValueError):
    """The working tree cannot be bundled; the message says what to do, in one line."""


@dataclass(frozen=True)
class Artifact:
    """One object to upload: its key relative to its prefix or bucket, its bytes and their digests."""

    key: str
    body: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Bundle:
    dags: dict[str, Artifact]  # key relative to the environment's DAG prefix
    plugins: Artifact
    requirements: Artifact
    startup: Artifact
    glue_scripts: dict[str, Artifact]  # key in the scripts bucket

    @property
    def environment_files(self) -> dict[str, Artifact]:
        """The files MWAA pins by object version, keyed by the name the environment uses for them."""
        return {"plugins": self.plugins, "requirements": self.requirements, "startup": self.startup}


def _git_files(root: Path, *paths: str) -> list[str]:
    try:
        result = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *paths],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(
            f"Cannot list files with git in {root}: deploy from a git checkout ({exc})."
        ) from None
    return sorted(name for name in result.stdout.split("\0") if name and (root / name).is_file())


def _read(root: Path, relative: str) -> bytes:
    try:
        return (root / relative).read_bytes()
    except FileNotFoundError:
        raise BuildError(f"{relative} is missing from {root}: restore it from git.") from None


def shipped(name: str) -> bool:
    """Whether a repository file (a path relative to the root) belongs in the DAG prefix."""
    directory, _, file_name = name.rpartition("/")
    return name not in LOCAL_ONLY and any(
        (directory == base or (nested and directory.startswith(base + "/")))
        and fnmatch.fnmatchcase(file_name, pattern)
        for base, pattern, nested in SHIPPED
    )


def dag_files(root: Path) -> dict[str, Artifact]:
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise BuildError(f"{MANIFEST} is missing: build it with `make dbt-manifest` before deploying.")
    files: dict[str, Artifact] = {}
    sources = sorted({base.partition("/")[0] for base, _, _ in SHIPPED})
    for name in filter(shipped, _git_files(root, *sources)):
        key = name.removeprefix("dags/") if name.startswith("dags/") else name
        files[key] = Artifact(key, (root / name).read_bytes())
    files[MANIFEST] = Artifact(MANIFEST, manifest.read_bytes())
    files[COSMOS_MANIFEST] = Artifact(COSMOS_MANIFEST, cosmos_manifest.slim_bytes(files[MANIFEST].body))
    ignore = files.get(".airflowignore")
    extra = ignore.body.decode() if ignore else ""
    files[".airflowignore"] = Artifact(".airflowignore", (AIRFLOWIGNORE + extra).encode())
    return files


def plugins_zip(root: Path) -> Artifact:
    """A byte-for-byte reproducible zip of plugins/: same plugins, same bytes, same hash."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in _git_files(root, "plugins"):
            relative = name.removeprefix("plugins/")
            if relative in PLUGINS_EXCLUDED or "__pycache__" in relative:
                continue
            info = zipfile.ZipInfo(relative, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (root / name).read_bytes())
    return Artifact("plugins.zip", buffer.getvalue())


def glue_scripts(root: Path) -> dict[str, Artifact]:
    scripts = sorted((root / GLUE_SCRIPTS).glob("*.py"))
    return {
        GLUE_PREFIX + path.name: Artifact(GLUE_PREFIX + path.name, path.read_bytes())
        for path in scripts
        if not path.name.startswith("_")
    }


def build_bundle(root: Path) -> Bundle:
    """Everything one deployment uploads, from the working tree at `root`."""
    return Bundle(
        dags=dag_files(root),
        plugins=plugins_zip(root),
        requirements=Artifact("requirements.txt", _read(root, "requirements.txt")),
        startup=Artifact("startup.sh", _read(root, "startup.sh")),
        glue_scripts=glue_scripts(root),
    )


def write_bundle(bundle: Bundle, out: Path) -> list[Path]:
    """Lay the bundle out on disk as it will sit in S3, for inspection (`make build-artifacts`).

    `out/mwaa/` (the MWAA bucket) and `out/scripts/` (the scripts bucket) are replaced, so a file
    deleted from the repository or dropped from the allow-list does not linger from a previous build.
    """
    for bucket in ("mwaa", "scripts"):
        shutil.rmtree(out / bucket, ignore_errors=True)
    written = []
    layout = {
        **{f"mwaa/dags/{key}": a for key, a in bundle.dags.items()},
        **{f"mwaa/{a.key}": a for a in bundle.environment_files.values()},
        **{f"scripts/{key}": a for key, a in bundle.glue_scripts.items()},
    }
    for relative, artifact in sorted(layout.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(artifact.body)
        written.append(path)
    return written
