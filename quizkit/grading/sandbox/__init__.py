"""Runs the child: zygote, supervisor, child, isolation layers and limits."""
