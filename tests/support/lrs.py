"""A real Ralph LRS on loopback for the sync and class-report tests, started as an instructor would: `ralph auth`
writes the credentials, `tutor class lrs` serves Ralph's own API app with its file backend appending (its
default, create, refuses a second batch: see issue 27). Everything else is Ralph's: its API, validation,
duplicate handling and storage."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

USER, PASSWORD = "class-3b", "s3cret-Pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lrs:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "data").mkdir(exist_ok=True)
        self.env = {**os.environ, "RALPH_APP_DIR": str(folder / "app"), "RALPH_AUTH_FILE": str(folder / "auth.json"),
                    "RALPH_RUNSERVER_BACKEND": "fs"}
        ralph = Path(sys.executable).with_name("ralph")
        subprocess.run([str(ralph), "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-A", USER, "https://class.example", "-w"],
                       env=self.env, check=True, capture_output=True, timeout=60)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor", "class", "lrs", "--port", str(self.port),
                                      "--dir", str(self.folder / "data")], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/__heartbeat__", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the Ralph LRS did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None

    def stored(self) -> list[dict]:
        """Every statement the LRS holds, through its own API (paged)."""
        out, url = [], self.url + "/xAPI/statements?limit=100"
        while url:
            data = requests.get(url, auth=(USER, PASSWORD), timeout=10).json()
            out += data["statements"]
            url = self.url + data["more"] if data.get("more") else None
        return out
