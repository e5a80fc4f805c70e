//! The web app's entry point, built by trunk.

fn main() {
    promlab_web::run();
}
