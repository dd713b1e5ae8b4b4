"""The web inspector: server-rendered pages over the emulator's state, and their JSON twins."""
