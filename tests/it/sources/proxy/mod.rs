//! `--proxy` against the tests' mock Messages API, through a real `costtop serve`: requests
//! forwarded unchanged and counted once with their tags ([`forward`]), each bad input the
//! issue names ([`faults`]), Message Batches ([`batches`]), and never an open proxy
//! ([`safety`]). Every expected figure is the mock's own record of what it served.

mod batches;
mod faults;
mod forward;
mod safety;
