"""Source systems: HTTP and file connectors, validation, loading, and the demo province."""
