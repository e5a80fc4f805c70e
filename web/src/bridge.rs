//! The bridge to the engine: the only place the app reaches a
//! [`Lab`](promlab_core::lab::Lab).
//!
//! Components send a [`Request`] and get a [`Response`] in a callback. The
//! lab runs in the page today; because every exchange is a serializable
//! request and an asynchronous answer, it can move into a Web Worker, or
//! be replaced by a real Prometheus server answering the API requests,
//! without a component changing.

use promlab_core::api::{Request, Response};
use promlab_core::lab::{Lab, LabOptions};
use std::cell::RefCell;
use std::rc::Rc;

/// A handle to the engine, cheap to clone and share through a context.
#[derive(Clone)]
pub struct LabClient {
    lab: Rc<RefCell<Lab>>,
}

impl PartialEq for LabClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lab, &other.lab)
    }
}

impl LabClient {
    /// A lab in the page, starting at `start` (milliseconds since the
    /// epoch) with its history already scraped.
    pub fn in_page(start: i64) -> Self {
        let options = LabOptions {
            start,
            ..LabOptions::default()
        };
        LabClient {
            lab: Rc::new(RefCell::new(Lab::new(options))),
        }
    }

    /// Sends `request`; `on_response` gets the answer.
    pub fn send(&self, request: Request, on_response: impl FnOnce(Response) + 'static) {
        // The borrow ends before the callback runs, so a callback may send
        // the next request.
        let response = match self.lab.try_borrow_mut() {
            Ok(mut lab) => lab.handle(&request),
            Err(_) => Response::Lab(promlab_core::api::LabResponse::Error {
                message: "the lab is busy with another request".into(),
            }),
        };
        on_response(response);
    }
}
