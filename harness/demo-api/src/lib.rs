//! The bundled demo API (placeholder until the demo issue lands).
