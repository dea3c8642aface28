"""The app's screens, one module each; imported where they are first shown, to keep start-up fast."""
