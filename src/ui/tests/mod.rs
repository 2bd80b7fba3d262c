//! Rendering and loop tests for the dashboard.

mod app_loop;
mod attach;
mod org;
mod render;
mod savings;
