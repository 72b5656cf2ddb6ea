//! `salt-minion`: not implemented yet; it arrives with the master/minion issue.
fn main() {
    eprintln!("salt-minion: not implemented yet in brine");
    std::process::exit(2);
}
