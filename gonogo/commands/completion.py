"""`gonogo completion bash|zsh|fish`: the shell code that completes gonogo's commands and
options. argcomplete generates it, and answers each completion from gonogo's own argparse
parser (``cli.main`` hands over to it when the shell asks), so it cannot drift from the CLI."""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")

USAGE = {
    "bash": 'eval "$(gonogo completion bash)"     # in ~/.bashrc',
    "zsh": 'eval "$(gonogo completion zsh)"      # in ~/.zshrc, after compinit',
    "fish": "gonogo completion fish | source     # in ~/.config/fish/config.fish",
}


def main(args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    code = shellcode(["gonogo"], shell=args.shell)
    sys.stdout.write(f"# gonogo completion for {args.shell}: {USAGE[args.shell]}\n{code}")
    if not code.endswith("\n"):
        sys.stdout.write("\n")
    return 0
