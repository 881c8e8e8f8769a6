//! Real services for the replica tests, each on a free loopback port and stopped
//! when dropped: a throwaway PostgreSQL cluster (Debian's package), an
//! S3-compatible server (moto, from PyPI), and fluxplay server processes.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn wait_for_port(port: u16, what: &str, child: &mut Child) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before it listened: {status}");
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxplay-{name}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A PostgreSQL cluster of its own, with trust auth on loopback.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
    as_root: bool,
}

/// The newest installed PostgreSQL's programs (`/usr/lib/postgresql/<v>/bin`).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (scripts/install-tools.sh installs it)")
        .filter_map(|e| {
            let e = e.ok()?;
            Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version under /usr/lib/postgresql").1
}

impl Postgres {
    pub fn start() -> Self {
        let bin = postgres_bin();
        let dir = temp("pg");
        // PostgreSQL refuses to run as root: then its own user runs it.
        let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if as_root {
            run(Command::new("chown").arg("-R").arg("postgres:postgres").arg(&dir), "chown the cluster");
        }
        let pg = Self { bin, dir, port: free_port(), as_root };
        let data = pg.dir.join("data");
        pg.run(
            pg.cmd("initdb").arg("-D").arg(&data).args(["-U", "fluxplay", "--auth=trust", "--no-sync", "-E", "UTF8"]),
            "initdb",
        );
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=200",
            pg.port,
            pg.dir.display()
        );
        pg.run(
            pg.cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(pg.dir.join("log"))
                .args(["-o", &options, "-w", "start"]),
            "pg_ctl start",
        );
        pg
    }

    fn cmd(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, cmd: &mut Command, what: &str) {
        run(cmd.stdin(Stdio::null()), what);
    }

    pub fn url(&self) -> String {
        format!("postgres://fluxplay@127.0.0.1:{}/postgres", self.port)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.cmd("pg_ctl").arg("-D").arg(&data).args(["-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// moto's S3 server (in memory) with one bucket.
pub struct S3 {
    child: Child,
    pub port: u16,
    pub bucket: &'static str,
}

impl S3 {
    pub fn start() -> Self {
        let port = free_port();
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is installed (scripts/install-tools.sh installs it)");
        wait_for_port(port, "moto_server", &mut child);
        let s3 = Self { child, port, bucket: "fluxplay" };
        // An unsigned PUT creates the bucket on moto.
        let status = std::process::Command::new("curl")
            .args(["-sf", "-X", "PUT", &format!("{}/{}", s3.endpoint(), s3.bucket)])
            .status()
            .unwrap();
        assert!(status.success(), "create the bucket");
        s3
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `fluxplay` process with its own data directory (no disk shared).
pub struct Replica {
    child: Child,
    pub addr: SocketAddr,
    pub data: PathBuf,
    env: Vec<(String, String)>,
}

impl Replica {
    pub fn start(env: &[(String, String)]) -> Self {
        Self::start_in(temp("replica"), free_port(), env)
    }

    fn start_in(data: PathBuf, port: u16, env: &[(String, String)]) -> Self {
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_fluxplay"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_OUTPUT_NAME", "fluxplay")
            .env("LEPTOS_SITE_ROOT", data.join("site"))
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("FLUXPLAY_DATA_DIR", &data)
            .env("FLUXPLAY_CONFIG", "/dev/null")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        wait_for_port(port, "fluxplay", &mut child);
        Self { child, addr, data, env: env.to_vec() }
    }

    /// Stops this process (as a container runtime would) and starts it again, same settings.
    pub fn restart(mut self) -> Self {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        let (data, port, env) = (std::mem::take(&mut self.data), self.addr.port(), std::mem::take(&mut self.env));
        Self::start_in(data, port, &env)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.data.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.data);
        }
    }
}
