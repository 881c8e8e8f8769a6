//! Attacks from public attack classes (OWASP testing guide, the XSS and SSRF
//! cheat sheets, decompression bombs, slowloris), written against the HTTP
//! surface as a stranger sees it, not from our own code.
mod budget;
mod decode;
mod echoed_keys;
mod emulator;
mod forms;
mod fuzz;
mod hosts_and_headers;
mod identity;
mod mount;
mod slow_clients;
mod xss;
