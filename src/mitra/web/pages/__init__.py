"""Server-rendered pages, one module per area; ``router`` gathers them behind the CSRF check."""
