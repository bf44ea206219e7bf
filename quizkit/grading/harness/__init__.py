"""The trusted pytest side: plugin, proxy and the session of one submission."""
