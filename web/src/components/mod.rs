//! Reusable widgets. Each draws what it is given and reports what the user
//! does; none computes anything the engine could.

pub mod clock;
pub mod data_sources;
pub mod explain;
pub mod graph;
pub mod history;
pub mod query_editor;
pub mod result_table;
pub mod saved_files;
pub mod sim_panel;
pub mod webhooks;
pub mod widgets;
