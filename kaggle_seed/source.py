"""Where the Kaggle files come from: kagglehub when credentials exist, else the configured folder.

    from kaggle_seed.source import obtain
    files, how = obtain(settings, dataset="auto")   # [(dataset, path)], "kagglehub" | "folder"

Credentials: KAGGLE_USERNAME + KAGGLE_KEY in the environment, or ~/.kaggle/kaggle.json.
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

from core.errors import EarshotError
from core.settings import Settings
from kaggle_seed.formats import FILE_NAMES, KAGGLE_HANDLES, FormatError, detect

log = logging.getLogger("earshot.kaggle")
ORDER = ("yamaerenay_artists", "maharshipandya", "rodolfofigueroa", "yamaerenay")


def has_credentials() -> bool:
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    config = Path(os.environ.get("KAGGLE_CONFIG_DIR", "~/.kaggle")).expanduser() / "kaggle.json"
    return config.is_file()


def read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def find_files(directory: Path, dataset: str = "auto") -> list[tuple[str, Path]]:
    """The known dataset files in `directory` (detected by header), artists.csv first."""
    if not directory.is_dir():
        raise EarshotError(f"Kaggle folder {directory} does not exist (set EARSHOT_KAGGLE_DIR)")
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.csv")):
        try:
            kind = detect(read_header(path))
        except FormatError:
            log.info("skipping %s: not a known Kaggle dataset", path.name)
            continue
        preferred = FILE_NAMES[kind]
        current = found.get(kind)
        rank = preferred.index(path.name) if path.name in preferred else len(preferred)
        if current is None or rank < (preferred.index(current.name) if current.name in preferred else 99):
            found[kind] = path
    if dataset != "auto":
        found = {k: v for k, v in found.items() if k == dataset or k == f"{dataset}_artists"}
    if not any(k != "yamaerenay_artists" for k in found):
        raise EarshotError(
            f"no Kaggle track file ({dataset}) in {directory}: put dataset.csv, tracks_features.csv "
            "or tracks.csv there (see kaggle_seed/README.md)"
        )
    return [(k, found[k]) for k in ORDER if k in found]


def download(dataset: str) -> Path:
    """Download with kagglehub (cached under ~/.cache/kagglehub) and return the folder."""
    import kagglehub

    handle = KAGGLE_HANDLES["maharshipandya" if dataset == "auto" else dataset]
    return Path(kagglehub.dataset_download(handle))


def obtain(
    settings: Settings, dataset: str = "auto", directory: Path | None = None
) -> tuple[list[tuple[str, Path]], str]:
    """Files to load and how they were obtained ('kagglehub' or 'folder'); logs which."""
    if directory is None and has_credentials():
        folder = download(dataset)
        log.info("Kaggle credentials found: downloaded %s with kagglehub into %s", dataset, folder)
        return find_files(folder, dataset), "kagglehub"
    folder = directory or settings.kaggle_dir
    log.info("no Kaggle credentials (or --dir given): reading the files in %s", folder)
    return find_files(folder, dataset), "folder"
