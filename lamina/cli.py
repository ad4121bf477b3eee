"""The ``lamina`` command."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

from lamina import __version__
from lamina.config import Settings


def _serve(args: argparse.Namespace) -> int:
    from lamina.server import serve

    settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir,
                                 auth=None if args.auth is None else args.auth == "on")
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(settings)


def _env(args: argparse.Namespace) -> int:
    from lamina.credentials import load_root_credentials
    from lamina.server import data_dir_server_info

    settings = Settings.from_env(data_dir=args.data_dir)
    creds = load_root_credentials(settings.data_dir)
    if creds is None:
        print(f"lamina: no credentials in {settings.data_dir} yet; start it first with "
              f"`lamina serve --data-dir {settings.data_dir}`", file=sys.stderr)
        return 1
    info = data_dir_server_info(settings.data_dir) or {}
    values = {
        "AWS_ENDPOINT_URL": info.get("endpoint_url", settings.endpoint_url),
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_DEFAULT_REGION": info.get("region", settings.default_region),
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def _dev(args: argparse.Namespace) -> int:
    from lamina.dev import DevError, run

    overrides = {"data_dir": args.data_dir, "port": args.port}
    settings = Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})
    try:
        return run(args.folder, args.handler, args.runtime, args.name, args.debug, settings, args.role)
    except DevError as error:
        print(f"lamina dev: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _coverage(args: argparse.Namespace) -> int:
    from lamina.coverage import all_coverage, render_markdown, render_text

    try:
        reports = all_coverage(args.service)
    except KeyError:
        print(f"lamina does not serve {args.service!r}", file=sys.stderr)
        return 2
    if args.markdown:
        print(render_markdown(reports))
    else:
        print("\n".join(render_text(r, verbose=args.service is not None) for r in reports))
    return 0


def _logs(args: argparse.Namespace) -> int:
    import boto3

    from lamina.credentials import load_root_credentials
    from lamina.log_tail import since_ms, tail
    from lamina.server import data_dir_server_info

    settings = Settings.from_env(data_dir=args.data_dir)
    creds = load_root_credentials(settings.data_dir)
    info = data_dir_server_info(settings.data_dir)
    if creds is None or info is None:
        print(f"lamina: no running lamina found in {settings.data_dir}; start it with "
              f"`lamina serve --data-dir {settings.data_dir}`", file=sys.stderr)
        return 1
    try:
        start = since_ms(args.since)
    except ValueError as error:
        print(f"lamina: {error}", file=sys.stderr)
        return 2
    client = boto3.client("logs", endpoint_url=info["endpoint_url"], region_name=args.region or info["region"],
                          aws_access_key_id=creds.access_key_id, aws_secret_access_key=creds.secret_access_key)
    try:
        return tail(client, args.function, start, args.filter, args.follow,
                    colour=None if args.colour == "auto" else args.colour == "on")
    except KeyboardInterrupt:
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lamina", description="A self-hosted AWS Lambda platform.")
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the platform")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1, env LAMINA_HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (default 9060, env LAMINA_PORT)")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help="where state lives (default ~/.local/share/lamina, env LAMINA_DATA_DIR)")
    serve.add_argument("--auth", choices=("on", "off"), default=None,
                       help="'off' accepts any well-formed signature (local experiments only)")
    serve.set_defaults(func=_serve)

    env = commands.add_parser("env", help="print shell exports that point AWS clients at lamina")
    env.add_argument("--data-dir", type=Path, default=None)
    env.set_defaults(func=_env)

    logs = commands.add_parser("logs", help="show a function's logs (like `aws logs tail`)")
    logs.add_argument("function", help="function name (or a log group name starting with /)")
    logs.add_argument("--follow", "-f", action="store_true", help="keep showing new lines as they come")
    logs.add_argument("--since", default="10m", help="how far back to start, e.g. 30s, 10m, 2h, 1d (default 10m)")
    logs.add_argument("--filter", default=None, help="a CloudWatch Logs filter pattern, e.g. ERROR or "
                                                      "'{ $.level = \"ERROR\" }'")
    logs.add_argument("--colour", "--color", choices=("auto", "on", "off"), default="auto")
    logs.add_argument("--region", default=None)
    logs.add_argument("--data-dir", type=Path, default=None)
    logs.set_defaults(func=_logs)

    dev = commands.add_parser("dev", help="run a folder as a function with a URL, hot reload and live logs")
    dev.add_argument("folder")
    dev.add_argument("--handler", help="module.function (default: lambda_function.lambda_handler or the "
                                       "single `handler` found)")
    dev.add_argument("--runtime", help="e.g. python3.12 (default: the Python running lamina)")
    dev.add_argument("--name", help="function name (default: the folder's name)")
    dev.add_argument("--role", help="execution role ARN (default: lamina-dev, created with basic execution)")
    dev.add_argument("--debug", action="store_true", help="wait for a debugger (LAMINA_DEBUG=1 on the function)")
    dev.add_argument("--port", type=int, default=None, help="port of the lamina to use or start")
    dev.add_argument("--data-dir", type=Path, default=None)
    dev.set_defaults(func=_dev)

    coverage = commands.add_parser("coverage", help="which operations of each service lamina implements")
    coverage.add_argument("service", nargs="?", help="a botocore service name, e.g. lambda")
    coverage.add_argument("--markdown", action="store_true", help="a table, as in docs/coverage.md")
    coverage.set_defaults(func=_coverage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
