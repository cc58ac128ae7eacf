"""TSFmicro Studio: review interviews for micro-expressions with the TSFmicro model in the loop.

`app.media`, `app.face` (and later `app.analysis`, `app.core`) are Qt-free; only `app.ui` imports Qt.
"""

__version__ = "0.1.0"
