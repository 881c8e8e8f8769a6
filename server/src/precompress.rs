//! Brotli (quality 11) and gzip copies of the built JS, wasm and CSS, made once
//! at start-up, so the first load is as small as it can be without paying for
//! maximum compression on every request. Until they exist, responses are
//! compressed on the fly.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `<file>.br` and `<file>.gz` next to every asset under `dir` that lacks a fresh one.
pub fn assets(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let compressible =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "js" | "wasm" | "css"));
        if !compressible {
            continue;
        }
        let source = std::fs::read(&path)?;
        for (ext, compress) in [("br", brotli_11 as fn(&[u8]) -> Vec<u8>), ("gz", gzip_9)] {
            let target = with_suffix(&path, ext);
            if !is_fresh(&target, &path) {
                // Write then rename, so a reader never serves half a file.
                let tmp = with_suffix(&path, &format!("{ext}.tmp"));
                std::fs::write(&tmp, compress(&source))?;
                std::fs::rename(&tmp, &target)?;
                written += 1;
            }
        }
    }
    Ok(written)
}

fn with_suffix(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn is_fresh(target: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(target), modified(source)), (Some(t), Some(s)) if t >= s)
}

fn brotli_11(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(data).expect("writing to memory");
    }
    out
}

fn gzip_9(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_decodable_copies_once() {
        let dir = std::env::temp_dir().join(format!("fluxplay-pre-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let body = "console.log('fluxplay');".repeat(200);
        std::fs::write(dir.join("app.js"), &body).unwrap();
        std::fs::write(dir.join("logo.svg"), "<svg/>").unwrap();
        assert_eq!(assets(&dir).unwrap(), 2);
        assert_eq!(assets(&dir).unwrap(), 0, "fresh copies are kept");
        let mut plain = String::new();
        brotli::Decompressor::new(std::fs::File::open(dir.join("app.js.br")).unwrap(), 4096)
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        assert!(!dir.join("logo.svg.br").exists());
    }
}
