"""The demo's look at how mitra guards a journal: a tampered copy of the demo's own export is
judged record by record, as logging judges an entry, and refused without writing anything.

Self-contained: it exports the demo journal, changes two records the way a damaged or
hostile file might (a dose of -5 g, a note with a NUL character), and returns the refusals a
dry-run import reports. The demo journal is left exactly as it was.
"""

from __future__ import annotations

import json

from mitra.services.context import AppContext
from mitra.services.transfer import TransferService


def tampered_import_refusals(ctx: AppContext) -> list[str]:
    """The refusals of a dry-run import of a tampered copy of the demo's export."""
    service = TransferService(ctx)
    document = json.loads(json.dumps(service.export_document(), default=str))
    doses = [e for e in document["entries"] if e["kind"] == "dose"]
    if len(doses) < 2:
        return []
    doses[0]["dose"]["amount"] = -5.0
    doses[1]["note"] = "looks harmless\x00but is not"
    return service.import_document(document, dry_run=True).refusals
