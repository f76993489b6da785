"""A development mail sink: an SMTP server on loopback that stores each message as a .eml file."""

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from devstack.mailview import start_viewer


class StoreMessages:
    """aiosmtpd handler writing every accepted message to a folder, one file per recipient."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        """Store the message and accept it."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for _ in envelope.rcpt_tos:
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            # Written aside, then renamed: whoever reads the folder never sees half a message.
            partial = path.with_suffix(".part")
            partial.write_bytes(envelope.original_content or envelope.content)
            partial.rename(path)
        return "250 Message accepted for delivery"


def serve(host: str, port: int, folder: Path, viewer_port: int | None = None) -> None:
    """Run the sink (and its web page, given a port) until interrupted."""
    controller = Controller(StoreMessages(folder), hostname=host, port=port)
    controller.start()
    print(f"mail sink listening on {host}:{port}, storing messages in {folder}", flush=True)
    viewer = start_viewer(host, viewer_port, folder) if viewer_port else None
    if viewer_port:
        print(f"mail viewer on http://{host}:{viewer_port}/", flush=True)
    try:
        asyncio.run(_forever())
    except KeyboardInterrupt:
        pass
    finally:
        if viewer is not None:
            viewer.shutdown()
        controller.stop()


async def _forever() -> None:
    while True:
        await asyncio.sleep(3600)


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description="Development SMTP sink for Cohort")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, default=Path(".run/mail"))
    parser.add_argument("--viewer-port", type=int, default=None)
    args = parser.parse_args()
    serve(args.host, args.port, args.folder, args.viewer_port)


if __name__ == "__main__":
    main()
