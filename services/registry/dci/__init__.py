"""Search, subscribe and notify for outside registries in the DCI (Social Protection Digital
Convergence Initiative) registry API style, v1.0.0 (docs/DCI.md)."""
