"""The "Download your data" importer: export zip, folder or files → plays and playlists on Kafka.

    from producer.importer import import_path
    report = import_path(settings, "my_spotify_data.zip", "alice", progress=callback)

CLI: `earshot import PATH --user ID`. See docs/producer.md for the formats and dedup keys.
"""

from producer.importer.files import Limits
from producer.importer.report import FileReport, ImportReport
from producer.importer.run import import_path

__all__ = ["FileReport", "ImportReport", "Limits", "import_path"]
