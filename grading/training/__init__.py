"""Training the free-text judge (PyTorch, training only; the platform never imports this package)."""
