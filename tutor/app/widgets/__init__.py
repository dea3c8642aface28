"""Widgets of the quiz app, one module each, named after the widget they hold."""
