//! How much native stack the current thread has left, so that recursive code
//! over untrusted input (the YAML constructor, deep values) can stop with an
//! error before it overflows the stack, which would abort the whole process.
//!
//! A depth counter alone is not enough: a frame's size differs between debug
//! and release builds, and threads differ in stack size (8 MiB for a main
//! thread, 2 MiB for Rust and tokio threads).
//!
//! It must not allocate or fail: where the bounds are unknown it says "enough".

use std::cell::Cell;

/// Stack that recursive code keeps free for what it calls at the bottom
/// (formatting an error, allocating, a leaf function's frames).
pub const RESERVE: usize = 256 * 1024;

thread_local! {
    /// The lowest address of this thread's stack, looked up once per thread.
    static LOW: Cell<Option<Option<usize>>> = const { Cell::new(None) };
}

/// An address on the current stack.
#[inline(always)]
fn position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[cfg(target_os = "linux")]
fn lowest_address() -> Option<usize> {
    // SAFETY: the attribute object is initialised by pthread_getattr_np and
    // destroyed once read; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let r = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        (r == 0 && !addr.is_null()).then_some(addr as usize)
    }
}

#[cfg(not(target_os = "linux"))]
fn lowest_address() -> Option<usize> {
    None
}

/// Bytes of stack left below the caller; `None` when unknown.
pub fn remaining() -> Option<usize> {
    let low = LOW.with(|c| match c.get() {
        Some(low) => low,
        None => {
            let low = lowest_address();
            c.set(Some(low));
            low
        }
    })?;
    Some(position().saturating_sub(low))
}

/// Whether the caller may recurse one more level and keep [`RESERVE`] free.
pub fn enough() -> bool {
    remaining().is_none_or(|left| left > RESERVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_knows_its_stack() {
        let left = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(remaining)
            .unwrap()
            .join()
            .unwrap()
            .expect("the stack bounds of a thread");
        // glibc may hand the thread a cached stack up to four times the size asked.
        assert!(left > 512 * 1024 && left <= 4 << 20, "{left}");
        assert!(enough());
    }

    #[test]
    fn deep_recursion_stops_before_the_end() {
        // Not a tail call (the frame's bytes are used after it), so an
        // optimised build cannot turn the recursion into a loop.
        fn down(n: usize) -> usize {
            let pad = std::hint::black_box([0u8; 1024]);
            if !enough() {
                return n;
            }
            let deepest = down(n + 1);
            deepest + std::hint::black_box(&pad)[0] as usize
        }
        let depth = std::thread::Builder::new().stack_size(1 << 20).spawn(|| down(0)).unwrap().join().unwrap();
        assert!(depth > 100, "{depth}");
    }
}
