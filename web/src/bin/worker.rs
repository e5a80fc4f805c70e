//! The engine's Web Worker binary, built by trunk as `worker.js`.

use gloo_worker::Registrable;

fn main() {
    console_error_panic_hook::set_once();
    promlab_web::worker::LabWorker::registrar().register();
}
