//! Rendering and loop tests for the dashboard.

mod app_loop;
mod render;
mod savings;
