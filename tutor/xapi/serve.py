"""`tutor class lrs`: Ralph's learning record store for one classroom, on its file backend.

It is Ralph's own API app (its validation, duplicate handling, authentication and storage), served by
uvicorn as `ralph runserver` does, with one setting changed: the file backend's default write mode is
append. Its default, create, refuses every batch after the first with a 500 ("already exists and
overwrite is not allowed"), so a class could sync once. Needs the `lrs` extra (`pip install 'tutor[lrs]'`);
the credentials are Ralph's own (`ralph auth ... -w`, see the README).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def serve(host: str, port: int, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["RALPH_RUNSERVER_BACKEND"] = "fs"  # read by ralph.conf at import: set before importing ralph
    os.environ["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"] = str(folder.resolve())
    try:
        import uvicorn
        from ralph.backends.data.base import BaseOperationType
        from ralph.backends.data.fs import FSDataBackend
    except ImportError:
        print("tutor class lrs: the LRS needs the lrs extra: pip install 'tutor[lrs]'", file=sys.stderr)
        return 1
    FSDataBackend.default_operation_type = BaseOperationType.APPEND
    print(f"tutor class lrs: statements in {folder.resolve()}; learners sync to http://{host}:{port}/xAPI/", file=sys.stderr)
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")
    return 0
