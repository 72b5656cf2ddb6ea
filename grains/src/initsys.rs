//! `init` (which init system runs as PID 1) and `systemd` (version and
//! compiled-in features), as Salt's `_linux_init_system` and `_systemd`.
//!
//! Salt runs `systemctl --version`; the same two lines are found here in
//! systemd's shared library (its name carries the version, its data holds
//! the feature string), so nothing is spawned. It must not write or exec.

use brine_common::{Map, Value};

use crate::root::Root;

/// Salt reads init binaries in chunks of its default `file_buffer_size`.
const BUF_SIZE: usize = 262_144;

pub fn init_system(root: &Root, path_var: &str, g: &mut Map) {
    g.insert("init".into(), detect_init(root, path_var).into());
}

fn detect_init(root: &Root, path_var: &str) -> String {
    if root.exists("/run/systemd/system") {
        return "systemd".into();
    }
    let Some(cmdline) = root.read_bytes("/proc/1/cmdline") else {
        return "unknown".into();
    };
    let args: Vec<String> = String::from_utf8_lossy(&cmdline).replace('\0', " ").split_whitespace().map(str::to_string).collect();
    let init_bin = args.first().and_then(|a| root.which(a, path_var));
    let runs = |tool: &str| root.which(tool, path_var).is_some_and(|p| args.contains(&p));
    match init_bin {
        Some(bin) if bin.ends_with("bin/init") => init_from_binary(root, &bin),
        _ if runs("supervisord") => "supervisord".into(),
        _ if runs("dumb-init") => "dumb-init".into(),
        _ if runs("tini") => "tini".into(),
        _ if args == ["runit"] || args.iter().any(|a| a == "/sbin/my_init") => "runit".into(),
        _ => "unknown".into(),
    }
}

/// The first of upstart/sysvinit/systemd named in the init binary, scanning
/// chunk by chunk exactly as Salt does (so the same one wins).
fn init_from_binary(root: &Root, bin: &str) -> String {
    const NAMES: [&[u8]; 3] = [b"upstart", b"sysvinit", b"systemd"];
    let Some(data) = root.read_bytes(bin) else {
        return "unknown".into();
    };
    let edge_len = NAMES.iter().map(|n| n.len()).max().unwrap_or(1) - 1;
    let mut edge: Vec<u8> = Vec::new();
    for chunk in data.chunks(BUF_SIZE) {
        let mut buf = edge;
        buf.extend(chunk.iter().map(u8::to_ascii_lowercase));
        if let Some(name) = NAMES.iter().find(|n| contains(&buf, n)) {
            return String::from_utf8_lossy(name).into_owned();
        }
        edge = buf[buf.len().saturating_sub(edge_len)..].to_vec();
    }
    "unknown".into()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Where distributions install `libsystemd-shared-<version>.so`.
const SYSTEMD_LIB_DIRS: [&str; 6] = [
    "/usr/lib/systemd",
    "/lib/systemd",
    "/usr/lib64/systemd",
    "/usr/lib/x86_64-linux-gnu/systemd",
    "/usr/lib/aarch64-linux-gnu/systemd",
    "/usr/lib/i386-linux-gnu/systemd",
];

/// The `systemd` grain, present when systemctl and localectl are installed.
pub fn systemd(root: &Root, path_var: &str, g: &mut Map) {
    let systemctl = root.which("systemctl", path_var);
    if systemctl.is_none() || root.which("localectl", path_var).is_none() {
        return;
    }
    let (version, library) = systemd_shared_library(root);
    // systemctl is the smaller file and usually holds the string too.
    let features = [systemctl.as_deref(), library.as_deref()].into_iter().flatten().find_map(|file| feature_string_in(root, file));
    let mut info = Map::default();
    info.insert("version".into(), version.unwrap_or_else(|| "UNDEFINED".into()).into());
    info.insert("features".into(), features.unwrap_or_default().into());
    g.insert("systemd".into(), Value::Map(info));
}

/// The version in the name of `libsystemd-shared-<version>.so`, and its path.
fn systemd_shared_library(root: &Root) -> (Option<String>, Option<String>) {
    for dir in SYSTEMD_LIB_DIRS {
        for name in root.list_dir(dir) {
            let version = name.strip_prefix("libsystemd-shared-").and_then(|r| r.strip_suffix(".so"));
            if let Some(v) = version {
                return (Some(v.to_string()), Some(format!("{dir}/{name}")));
            }
        }
    }
    (None, None)
}

/// Whether `s` (the text between two NULs) is the second line of
/// `systemctl --version`: it starts with `+PAM ` or `-PAM `.
fn is_feature_string(s: &[u8]) -> bool {
    (s.starts_with(b"+PAM ") || s.starts_with(b"-PAM ")) && s.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
}

/// The longest feature string looked for (systemd's are a few hundred bytes).
const MAX_FEATURES: usize = 4096;

/// The feature string among a binary's string constants: its ELF `.rodata`
/// section when it has one, else the whole file. The section (a few hundred
/// kilobytes in systemctl) is read in blocks into one buffer, as grains are
/// gathered on every call.
fn feature_string_in(root: &Root, file: &str) -> Option<String> {
    use std::os::unix::fs::FileExt;
    let f = root.open(file)?;
    let read = |offset: u64, len: usize| {
        let mut buf = vec![0u8; len];
        f.read_exact_at(&mut buf, offset).ok().map(|()| buf)
    };
    let (start, len) = match elf_rodata(read) {
        Some((offset, len)) => (offset, len as u64),
        None => (0, f.metadata().ok()?.len()),
    };
    let mut scan = Segments::default();
    let mut block = vec![0u8; BLOCK];
    let mut at = start;
    while at < start + len {
        let want = usize::try_from(start + len - at).map_or(BLOCK, |left| left.min(BLOCK));
        let got = f.read_at(&mut block[..want], at).ok().filter(|n| *n > 0)?;
        if let Some(found) = scan.feed(&block[..got]) {
            return Some(found);
        }
        at += got as u64;
    }
    scan.finish()
}

/// How much of a binary is read at a time.
const BLOCK: usize = 1 << 16;

/// The NUL-separated texts of data fed block by block, tested for the
/// feature string as each one ends (one longer than [`MAX_FEATURES`] is
/// not kept).
#[derive(Default)]
struct Segments {
    current: Vec<u8>,
    too_long: bool,
}

impl Segments {
    fn feed(&mut self, block: &[u8]) -> Option<String> {
        let mut pieces = block.split(|b| *b == 0).peekable();
        while let Some(piece) = pieces.next() {
            self.extend(piece);
            if pieces.peek().is_none() {
                break; // the block ended inside this text
            }
            if let Some(found) = self.finish() {
                return Some(found);
            }
        }
        None
    }

    fn extend(&mut self, piece: &[u8]) {
        if self.too_long || self.current.len() + piece.len() > MAX_FEATURES {
            self.too_long = true;
            self.current.clear();
        } else {
            self.current.extend_from_slice(piece);
        }
    }

    /// Ends the current text: the feature string when it is one.
    fn finish(&mut self) -> Option<String> {
        let found = (!self.too_long && is_feature_string(&self.current)).then(|| String::from_utf8_lossy(&self.current).into_owned());
        self.current.clear();
        self.too_long = false;
        found
    }
}

/// Where the `.rodata` section of a 64-bit little-endian ELF file lies
/// (offset, size), reading only headers through `read(offset, len)`;
/// `None` for anything else.
fn elf_rodata(read: impl Fn(u64, usize) -> Option<Vec<u8>>) -> Option<(u64, usize)> {
    let header = read(0, 64)?;
    if !header.starts_with(b"\x7fELF\x02\x01") {
        return None;
    }
    let shoff = le_u64(&header, 0x28)?;
    let entsize = usize::from(le_u16(&header, 0x3a)?);
    let count = usize::from(le_u16(&header, 0x3c)?);
    if entsize < 0x28 {
        return None;
    }
    let table = read(shoff, count.checked_mul(entsize)?)?;
    let section = |i: usize| table.get(i.checked_mul(entsize)?..)?.get(..entsize);
    let strtab = section(usize::from(le_u16(&header, 0x3e)?))?;
    let names = read(le_u64(strtab, 0x18)?, usize::try_from(le_u64(strtab, 0x20)?).ok()?)?;
    (0..count).find_map(|i| {
        let sh = section(i)?;
        let name_at = usize::try_from(le_u32(sh, 0)?).ok()?;
        let name = names.get(name_at..)?.split(|b| *b == 0).next()?;
        (name == b".rodata").then_some((le_u64(sh, 0x18)?, usize::try_from(le_u64(sh, 0x20)?).ok()?))
    })
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads of `len` bytes at `offset` from an in-memory file.
    fn reader(file: &[u8]) -> impl Fn(u64, usize) -> Option<Vec<u8>> + '_ {
        move |offset, len| file.get(offset as usize..)?.get(..len).map(<[u8]>::to_vec)
    }

    /// A minimal ELF64: header, then sections null, .shstrtab, .rodata.
    fn tiny_elf(rodata: &[u8]) -> Vec<u8> {
        let names = b"\0.shstrtab\0.rodata\0";
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        let names_at = elf.len();
        elf.extend_from_slice(names);
        let rodata_at = elf.len();
        elf.extend_from_slice(rodata);
        let shoff = elf.len();
        elf[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        elf[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        elf[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        elf[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
        for (name, off, size) in [(0u32, 0usize, 0usize), (1, names_at, names.len()), (11, rodata_at, rodata.len())] {
            let mut sh = vec![0u8; 64];
            sh[..4].copy_from_slice(&name.to_le_bytes());
            sh[0x18..0x20].copy_from_slice(&(off as u64).to_le_bytes());
            sh[0x20..0x28].copy_from_slice(&(size as u64).to_le_bytes());
            elf.extend(sh);
        }
        elf
    }

    #[test]
    fn features_are_found_in_elf_rodata() {
        let elf = tiny_elf(b"x\0-PAM +AUDIT default-hierarchy=unified\0y\0");
        let (at, len) = elf_rodata(reader(&elf)).expect("rodata section");
        assert_eq!(&elf[at as usize..at as usize + 2], b"x\0");
        assert_eq!(len, 42);
        assert_eq!(elf_rodata(reader(b"\x7fELF\x02\x01 truncated")), None);
        assert_eq!(elf_rodata(reader(b"not an elf")), None);
    }

    /// The feature string as one pass over all of `data` finds it.
    fn in_one_pass(data: &[u8]) -> Option<String> {
        data.split(|b| *b == 0).find(|s| is_feature_string(s)).map(|s| String::from_utf8_lossy(s).into_owned())
    }

    /// The feature string found by feeding `data` in blocks of `size`.
    fn in_blocks(data: &[u8], size: usize) -> Option<String> {
        let mut scan = Segments::default();
        data.chunks(size).find_map(|block| scan.feed(block)).or_else(|| scan.finish())
    }

    #[test]
    fn features_are_found_across_block_edges_as_in_one_pass() {
        let data = b"\0+PAMx\0-PAM +AUDIT -SELINUX\0+PAM \x01bad\0+PAM last".to_vec();
        for size in 1..data.len() + 2 {
            assert_eq!(in_blocks(&data, size), in_one_pass(&data), "blocks of {size}");
        }
        assert_eq!(in_blocks(b"+PAM at the very end", 3).as_deref(), Some("+PAM at the very end"));
        let mut long = b"+PAM ".to_vec();
        long.extend(std::iter::repeat_n(b'a', MAX_FEATURES));
        long.extend_from_slice(b"\0-PAM short");
        assert_eq!(in_blocks(&long, 100).as_deref(), Some("-PAM short"));
    }

    #[test]
    fn features_are_read_from_the_rodata_of_a_binary_file() {
        let dir = std::env::temp_dir().join(format!("brine-features-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
        let mut rodata = vec![b'x'; 3 * BLOCK];
        rodata.extend_from_slice(b"\0+PAM +AUDIT\0");
        std::fs::write(dir.join("bin/systemctl"), tiny_elf(&rodata)).expect("write");
        std::fs::write(dir.join("bin/plain"), b"junk\0-PAM -AUDIT\0").expect("write");
        let root = Root::new(&dir);
        assert_eq!(feature_string_in(&root, "/bin/systemctl").as_deref(), Some("+PAM +AUDIT"));
        assert_eq!(feature_string_in(&root, "/bin/plain").as_deref(), Some("-PAM -AUDIT"));
        assert_eq!(feature_string_in(&root, "/bin/missing"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn init_binary_scan_prefers_salts_order() {
        let dir = std::env::temp_dir().join(format!("brine-initsys-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sbin")).expect("mkdir");
        // "systemd" comes first in the file, but Salt checks sysvinit first per chunk.
        std::fs::write(dir.join("sbin/init"), b"systemd ... +SYSVINIT").expect("write");
        assert_eq!(init_from_binary(&Root::new(&dir), "/sbin/init"), "sysvinit");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
