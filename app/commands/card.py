"""`tsfmicro card`: the model card of a checkpoint, by default of the bundled default model."""

from __future__ import annotations

import argparse
import json

from app.analysis.model_card import NOT_VALIDATED, card_lines, is_synthetic
from app.commands.common import command_error
from app.commands.registry import command
from app.resources import default_model_path


@command("card", "show a checkpoint's model card (default: the bundled default model)")
def _card_command(parser: argparse.ArgumentParser):
    parser.add_argument("checkpoint", nargs="?", help="checkpoint file (default: the bundled default model)")
    parser.add_argument("--json", action="store_true", help="print the card as one JSON object")

    def run(args: argparse.Namespace) -> int:
        from model import CheckpointError, load_checkpoint  # lazy: imports torch

        path = args.checkpoint or default_model_path()
        if path is None:
            return command_error("card", "this installation has no bundled default model "
                                         "(resources/models/default.pt); name a checkpoint")
        try:
            card = load_checkpoint(path, device="cpu").model_card
        except (CheckpointError, FileNotFoundError) as error:
            return command_error("card", str(error))
        if args.json:
            print(json.dumps({"checkpoint": str(path), **card}, indent=2))
            return 0
        print(f"checkpoint: {path}")
        print("\n".join(card_lines(card)) if card else "(no model card in this checkpoint)")
        if is_synthetic(card):
            print(f"\nNOTE: {NOT_VALIDATED}")
        return 0

    return run
