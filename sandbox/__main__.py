"""`python -m sandbox [--host H] [--port N]`: serve the provider sandbox (env `SANDBOX_*`)."""

from __future__ import annotations

import argparse

import uvicorn

from sandbox.app import create_app
from sandbox.settings import SandboxSettings


def main() -> None:
    settings = SandboxSettings()
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args()
    settings = settings.model_copy(update={"host": args.host, "port": args.port})
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
