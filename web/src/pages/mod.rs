//! The lab's pages.

pub mod playground;
