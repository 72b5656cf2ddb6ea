//! The allocator of `salt-call`: mimalloc, asked for blocks it can serve from
//! its fast path, and told not to tidy up memory that the process is about to
//! give back by exiting.
//!
//! Rust asks for every block with its alignment. mimalloc serves a 16-byte
//! aligned request from its free list only when the size class is a multiple
//! of 16; otherwise it over-allocates from a larger class on a slow path.
//! Hash tables ask for 16-byte alignment with sizes such as 52 bytes, so
//! each request is rounded up to its alignment first (`Layout::pad_to_align`),
//! which lands it in a class whose blocks are all aligned.
//!
//! It must not be used by the long-running daemons: [`short_run`] turns off
//! the return of freed memory to the system.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

// Positions in mimalloc v3's `mi_option_e` (include/mimalloc.h) that the
// Rust bindings do not name.
const PURGE_DELAY: mi::mi_option_t = 15;
const DESTROY_ON_EXIT: mi::mi_option_t = 22;

/// mimalloc with every request padded to its alignment.
pub struct PaddedMiMalloc;

// SAFETY: each method forwards to mimalloc's aligned API with a size no
// smaller than the layout's, and frees/reallocates only blocks it returned.
unsafe impl GlobalAlloc for PaddedMiMalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let l = layout.pad_to_align();
        mi::mi_malloc_aligned(l.size(), l.align()) as *mut u8
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let l = layout.pad_to_align();
        mi::mi_zalloc_aligned(l.size(), l.align()) as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr as *mut c_void);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let size = new_size.div_ceil(align) * align;
        mi::mi_realloc_aligned(ptr as *mut c_void, size, align) as *mut u8
    }
}

/// Settings for a process that runs one call and exits: keep freed pages
/// for reuse instead of handing them back (`purge_delay` -1), and skip the
/// collection of every heap at exit (`destroy_on_exit` 2), as the kernel
/// takes the whole address space back anyway.
pub fn short_run() {
    // SAFETY: setting options is allowed at any time; both are read when
    // used (purging, process exit), not cached at start-up.
    unsafe {
        mi::mi_option_set(PURGE_DELAY, -1);
        mi::mi_option_set(DESTROY_ON_EXIT, 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_and_realloc_keeps_the_bytes() {
        let a = PaddedMiMalloc;
        for (size, align) in [(1, 1), (52, 16), (88, 16), (24, 8), (100, 32), (4000, 64)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: non-zero sizes; every block is freed with the allocator that made it.
            unsafe {
                let p = a.alloc(layout);
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "{size}/{align}");
                std::ptr::write_bytes(p, 0xab, size);
                let q = a.realloc(p, layout, size * 3 + 5);
                assert_eq!(q as usize % align, 0, "realloc {size}/{align}");
                assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 0xab));
                a.dealloc(q, Layout::from_size_align(size * 3 + 5, align).unwrap());
                let z = a.alloc_zeroed(layout);
                assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                a.dealloc(z, layout);
            }
        }
    }
}
