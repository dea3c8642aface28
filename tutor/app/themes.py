"""The app's own theme: high contrast (pure black and white, saturated accents) for low vision and washed-out
terminals; Textual's built-in themes are offered beside it in the command palette ("Change theme")."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="tutor-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF5555",
    dark=True,
    variables={"footer-key-foreground": "#FFFF00", "block-cursor-background": "#FFFF00",
               "block-cursor-foreground": "#000000", "input-selection-background": "#FFFF00 40%"},
)
