"""`tutor sync`: send the answers the LRS has not acknowledged, oldest first, in batches.

A batch is acknowledged in the store only after the LRS said it holds it (200 or 204), so a sync that is
killed, loses the network or meets a refusing LRS leaves the rest queued for the next one; a batch sent
but not acknowledged (killed in between) is sent again, and the LRS keeps one copy, since every statement
keeps the id it got when the answer was stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.xapi.export import first_ids, statements

BATCH = 100


@dataclass(frozen=True)
class SyncResult:
    sent: int
    left: int
    error: str | None = None


def sync(store, bank, client, batch: int = BATCH, on_batch=None) -> SyncResult:
    from tutor.xapi.client import LrsError

    pending = store.unacknowledged(client.endpoint)
    firsts = first_ids(store.attempts()) if pending else set()
    sent = 0
    for start in range(0, len(pending), batch):
        chunk = pending[start:start + batch]
        try:
            client.post(list(statements(store, bank, chunk, firsts)))
        except LrsError as exc:
            return SyncResult(sent, len(pending) - sent, str(exc))
        store.acknowledge(client.endpoint, [a.statement_id for a in chunk])
        sent += len(chunk)
        if on_batch is not None:
            on_batch(sent, len(pending))
    return SyncResult(sent, 0)
