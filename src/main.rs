//! The newsglobe binary: parse the command line and run what it asks for.

fn main() {}
