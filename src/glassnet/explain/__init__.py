"""Renderers that turn a recorded run into text a person can check by hand.

They only read :class:`~glassnet.run.Run` and :class:`~glassnet.trace.Step`
objects; none of them trains or recomputes a number.
"""
