"""The `tsfmicro` subcommands; importing this package registers them all (`app.commands.registry`)."""

from app.commands import analyze, bench, info, track  # noqa: F401
from app.commands import evaluate, import_sheet  # noqa: F401
from app.commands import synth  # noqa: F401
from app.commands import spot  # noqa: F401
from app.commands import train  # noqa: F401
from app.commands import score  # noqa: F401
from app.commands import card  # noqa: F401
from app.commands import calibrate  # noqa: F401
from app.commands import ensemble  # noqa: F401
from app.commands import agree, au, convert  # noqa: F401
from app.commands import testset  # noqa: F401
from app.commands import magnify  # noqa: F401
from app.commands import retest_spotter  # noqa: F401
from app.commands import train_spotter  # noqa: F401
from app.commands import report  # noqa: F401
