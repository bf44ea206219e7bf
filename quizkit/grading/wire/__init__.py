"""What crosses the trust boundary: frames, the codec and the typed replies."""
