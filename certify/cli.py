"""The `certify` command line: the only place that prints and exits.

Each subcommand lives in `certify.commands.<name>` with `add_parser` and `run`;
they are imported only when chosen, so `certify check` never loads a solver.
Exit codes: 0 all claims verified, 1 a claim checked false, 2 bad input.
"""

import argparse
import importlib
import sys

from certify.errors import EXIT_ERROR, CertifyError

COMMANDS = {
    "check": "verify certificate files or folders with the trusted kernel alone",
    "lp": "solve and certify one no-signalling LP claim (Gallego et al. 2013)",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="certify", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = (argv if argv is not None else sys.argv[1:])[:1]
    for name, summary in COMMANDS.items():
        if chosen and chosen[0] == name:
            module = importlib.import_module(f"certify.commands.{name}")
            module.add_parser(sub)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    module = importlib.import_module(f"certify.commands.{args.command}")
    try:
        return module.run(args)
    except CertifyError as err:
        print(f"certify {args.command}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("certify: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
