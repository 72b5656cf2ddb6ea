//! The Jinja2 engine (being written).
